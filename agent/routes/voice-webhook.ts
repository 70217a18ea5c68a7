import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { publicBaseOf } from './public-url.ts';
import type { RouteContext } from './route-context.ts';
import { twilioSignatureHook, type FormParams } from './twilio-signature.ts';
import { connectRelayTwiml } from './twiml.ts';

/** Path of the relay WebSocket named in the TwiML. */
export const RELAY_PATH = '/ws';
/** Path of the `<Connect action>` callback named in the TwiML. */
export const CONNECT_ACTION_PATH = '/connect-action';

function field(body: unknown, name: string): string | undefined {
  const value = (body as FormParams | undefined)?.[name];
  return typeof value === 'string' ? value : undefined;
}

/**
 * `POST /webhook`: Twilio's incoming-call webhook (conversationrelay.md §5). Answers TwiML that
 * connects the call to the relay socket; refused with 403 when signatures are enforced and wrong,
 * 503 while shutting down (so Twilio can use the number's fallback URL).
 */
export function registerVoiceWebhook(app: FastifyInstance, ctx: RouteContext): void {
  app.post(
    '/webhook',
    { preHandler: twilioSignatureHook({ authToken: ctx.config.twilioAuthToken, publicUrl: ctx.config.publicUrl, scheme: 'http' }) },
    async (request: FastifyRequest, reply: FastifyReply) => {
      const callSid = field(request.body, 'CallSid');
      const log = request.log.child({ callSid });
      if (!ctx.calls.accepting) {
        log.warn({}, 'incoming call refused: the agent is shutting down');
        return reply.code(503).header('retry-after', '5').send({ statusCode: 503, error: 'Service Unavailable', message: 'Shutting down' });
      }
      const base = publicBaseOf(request, ctx.config.publicUrl);
      if (base === undefined) {
        log.warn({ host: request.headers.host }, 'incoming call refused: no usable Host header to build the relay URL; set PUBLIC_URL');
        return reply.code(400).send({ statusCode: 400, error: 'Bad Request', message: 'Missing or malformed Host header' });
      }
      const relayUrl = `${base.ws}${RELAY_PATH}`;
      log.info({ from: field(request.body, 'From'), to: field(request.body, 'To'), relayUrl }, 'incoming call: connecting to ConversationRelay');
      return reply
        .type('text/xml')
        .send(connectRelayTwiml({ actionUrl: `${base.http}${CONNECT_ACTION_PATH}`, relayUrl, welcomeGreeting: ctx.config.welcomeGreeting }));
    },
  );
}
