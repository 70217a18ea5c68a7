import type { Clock } from '../core/clock.ts';
import { callParams } from './call-params.ts';
import type { InboundCall } from './call-params.ts';
import { sendSignedForm } from './signed-form-request.ts';
import type { HttpExchange, SigningMode } from './signed-form-request.ts';
import { parseConversationRelayTwiml } from './twiml.ts';
import type { ConversationRelayTwiml, TwimlIssue } from './twiml.ts';

/** Why the agent's answer to the voice webhook could not start a ConversationRelay session. */
export type VoiceWebhookFailure =
  | { readonly kind: 'network'; readonly message: string }
  | { readonly kind: 'timeout'; readonly timeoutMs: number }
  | { readonly kind: 'http-status'; readonly status: number }
  | { readonly kind: 'content-type'; readonly contentType: string | undefined }
  | { readonly kind: 'invalid-twiml'; readonly errors: readonly TwimlIssue[] };

/** Outcome of {@link postVoiceWebhook}; the exchange is always recorded. */
export type VoiceWebhookResult =
  | { readonly ok: true; readonly twiml: ConversationRelayTwiml; readonly exchange: HttpExchange }
  | { readonly ok: false; readonly failure: VoiceWebhookFailure; readonly exchange: HttpExchange };

/** Inputs of {@link postVoiceWebhook}. */
export interface VoiceWebhookRequest {
  /** The agent's Voice URL, signed verbatim. */
  readonly url: string;
  /** Default POST (Twilio's default for a number's Voice URL). */
  readonly method?: 'GET' | 'POST';
  readonly authToken: string;
  readonly call: InboundCall;
  readonly fetch: typeof globalThis.fetch;
  readonly clock: Clock;
  /** Twilio's hard read timeout for call-processing requests is 15 s (error 31408). */
  readonly timeoutMs?: number;
  /** Extra form parameters appended after the standard ones. */
  readonly extraParams?: readonly (readonly [string, string])[];
  readonly signing?: SigningMode;
}

const TWIML_TYPES = new Set(['text/xml', 'application/xml']);

/** The form parameters of an inbound call's voice webhook (conversationrelay.md §5.1). */
export function voiceWebhookParams(call: InboundCall): [string, string][] {
  return callParams(call, 'ringing');
}

/**
 * Sends the signed voice webhook for an inbound call and reads the answer as ConversationRelay
 * TwiML. Non-2xx, a non-XML content type and unusable TwiML are failure values, not exceptions.
 */
export async function postVoiceWebhook(request: VoiceWebhookRequest): Promise<VoiceWebhookResult> {
  const timeoutMs = request.timeoutMs ?? 15_000;
  const exchange = await sendSignedForm({
    url: request.url,
    method: request.method ?? 'POST',
    params: [...voiceWebhookParams(request.call), ...(request.extraParams ?? [])],
    authToken: request.authToken,
    fetch: request.fetch,
    clock: request.clock,
    timeoutMs,
    ...(request.signing ? { signing: request.signing } : {}),
    headers: { 'I-Twilio-Idempotency-Token': `${request.call.callSid}-voice` },
  });
  const fail = (failure: VoiceWebhookFailure): VoiceWebhookResult => ({ ok: false, failure, exchange });
  const { response, error } = exchange;
  if (error) return fail(error.kind === 'timeout' ? { kind: 'timeout', timeoutMs } : { kind: 'network', message: error.message });
  if (!response) return fail({ kind: 'network', message: 'no response recorded' });
  if (response.status < 200 || response.status > 299) return fail({ kind: 'http-status', status: response.status });
  const contentType = response.headers['content-type'];
  const mediaType = contentType?.split(';')[0]?.trim().toLowerCase();
  if (mediaType === undefined || !TWIML_TYPES.has(mediaType)) return fail({ kind: 'content-type', contentType });
  const parsed = parseConversationRelayTwiml(response.body, { baseUrl: request.url });
  if (!parsed.ok) return fail({ kind: 'invalid-twiml', errors: parsed.errors });
  return { ok: true, twiml: parsed.twiml, exchange };
}
