import type { FastifyReply, FastifyRequest } from 'fastify';
import twilio from 'twilio';
import { publicBaseOf, type PublicBase } from './public-url.ts';

/** Whether a request's `X-Twilio-Signature` matched, and which URL it was checked against. */
export type SignatureCheck =
  | { readonly status: 'valid'; readonly url: string }
  | { readonly status: 'missing'; readonly url: string }
  | { readonly status: 'invalid'; readonly url: string };

/** Twilio form parameters as @fastify/formbody parses them (repeated names become arrays). */
export type FormParams = Record<string, string | string[]>;

/**
 * Checks `signature` with twilio's `validateRequest` over `url` and `params` (conversationrelay.md
 * §5.3; for the WebSocket handshake `url` is the `wss://` URL and `params` is empty, §3.2).
 */
export function checkTwilioSignature(authToken: string, signature: string | string[] | undefined, url: string, params: FormParams): SignatureCheck {
  if (typeof signature !== 'string' || signature === '') return { status: 'missing', url };
  return twilio.validateRequest(authToken, signature, url, params) ? { status: 'valid', url } : { status: 'invalid', url };
}

/** Options for {@link twilioSignatureHook}. */
export interface SignatureHookOptions {
  readonly authToken: string | undefined;
  readonly publicUrl: string | undefined;
  /** Which form of the public base Twilio signed: `http` for webhooks, `ws` for the relay handshake. */
  readonly scheme: keyof PublicBase;
}

/**
 * A Fastify hook that answers 403 unless the request carries a valid Twilio signature over its
 * public URL (base + path + query as received). Does nothing when no auth token is configured.
 */
export function twilioSignatureHook(options: SignatureHookOptions) {
  return async function verifyTwilioSignature(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> {
    if (options.authToken === undefined) return undefined;
    const base = publicBaseOf(request, options.publicUrl);
    if (base === undefined) {
      request.log.warn({ host: request.headers.host }, 'request refused: no usable Host header to rebuild the signed URL; set PUBLIC_URL');
      return reply.code(400).send({ statusCode: 400, error: 'Bad Request', message: 'Missing or malformed Host header' });
    }
    const url = `${base[options.scheme]}${request.url}`;
    const params = isFormParams(request.body) ? request.body : {};
    const check = checkTwilioSignature(options.authToken, request.headers['x-twilio-signature'], url, params);
    if (check.status === 'valid') return undefined;
    const callSid = typeof params.CallSid === 'string' ? params.CallSid : undefined;
    request.log.warn(
      { url, signature: check.status, callSid },
      `request refused: ${check.status} X-Twilio-Signature for ${url} (if Twilio is calling, check TWILIO_AUTH_TOKEN and PUBLIC_URL)`,
    );
    return reply.code(403).send({ statusCode: 403, error: 'Forbidden', message: `${check.status === 'missing' ? 'Missing' : 'Invalid'} X-Twilio-Signature` });
  };
}

function isFormParams(body: unknown): body is FormParams {
  return body !== null && typeof body === 'object' && !Array.isArray(body);
}
