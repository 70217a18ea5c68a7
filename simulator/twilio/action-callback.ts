import type { Clock } from '../core/clock.ts';
import { callParams } from './call-params.ts';
import type { InboundCall } from './call-params.ts';
import { sendSignedForm } from './signed-form-request.ts';
import type { HttpExchange } from './signed-form-request.ts';
import { listTwimlVerbs } from './twiml.ts';
import type { TwimlIssue } from './twiml.ts';

/** How the ConversationRelay session ended (§3.4): app `end`, caller hang-up, or an error. */
export type SessionStatus = 'ended' | 'completed' | 'failed';

/** What the session end contributes to the `<Connect action>` request. */
export interface SessionEndParams {
  readonly sessionId: string;
  readonly sessionStatus: SessionStatus;
  readonly durationSeconds: number;
  readonly handoffData?: string;
  readonly errorCode?: string;
  readonly errorMessage?: string;
}

/** The action request and the agent's answer, as plain JSON. */
export interface ActionCallbackRecord {
  readonly exchange: HttpExchange;
  /** Top-level verbs of the TwiML answer, when it was XML with a `<Response>`. */
  readonly verbs?: readonly string[];
  /** Why the answer could not be read as TwiML (non-2xx answers are not read). */
  readonly twimlError?: TwimlIssue;
}

/**
 * The `<Connect action>` form parameters (conversationrelay.md §3.4): the standard call params with
 * `CallStatus` `completed` after a hang-up and `in-progress` otherwise, then the session params.
 */
export function actionCallbackParams(call: InboundCall, end: SessionEndParams): [string, string][] {
  const params = callParams(call, end.sessionStatus === 'completed' ? 'completed' : 'in-progress');
  params.push(['SessionId', end.sessionId], ['SessionStatus', end.sessionStatus], ['SessionDuration', String(end.durationSeconds)]);
  if (end.handoffData !== undefined) params.push(['HandoffData', end.handoffData]);
  if (end.errorCode !== undefined) params.push(['ErrorCode', end.errorCode]);
  if (end.errorMessage !== undefined) params.push(['ErrorMessage', end.errorMessage]);
  return params;
}

/** Inputs of {@link postActionCallback}. */
export interface ActionCallbackRequest {
  readonly action: string;
  readonly method: 'GET' | 'POST';
  readonly params: readonly (readonly [string, string])[];
  readonly authToken: string;
  readonly fetch: typeof globalThis.fetch;
  readonly clock: Clock;
  readonly timeoutMs?: number;
}

/** Requests the `<Connect action>` URL, signed and form-encoded like any TwiML action request. */
export async function postActionCallback(request: ActionCallbackRequest): Promise<ActionCallbackRecord> {
  const exchange = await sendSignedForm({
    url: request.action,
    method: request.method,
    params: request.params,
    authToken: request.authToken,
    fetch: request.fetch,
    clock: request.clock,
    timeoutMs: request.timeoutMs ?? 15_000,
  });
  const response = exchange.response;
  if (!response || response.status < 200 || response.status > 299) return { exchange };
  const verbs = listTwimlVerbs(response.body);
  return verbs.ok ? { exchange, verbs: verbs.verbs } : { exchange, twimlError: verbs.error };
}
