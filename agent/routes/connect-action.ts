import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { RouteContext } from './route-context.ts';
import { twilioSignatureHook, type FormParams } from './twilio-signature.ts';
import { hangupTwiml } from './twiml.ts';
import { CONNECT_ACTION_PATH } from './voice-webhook.ts';

const LOGGED = ['SessionId', 'SessionStatus', 'SessionDuration', 'CallStatus', 'HandoffData', 'ErrorCode', 'ErrorMessage'] as const;

/**
 * `POST /connect-action`: Twilio reports how the relay session ended (conversationrelay.md §3.4).
 * Logged (a `failed` session at warn level) and answered with `<Hangup/>`.
 */
export function registerConnectAction(app: FastifyInstance, ctx: RouteContext): void {
  app.post(
    CONNECT_ACTION_PATH,
    { preHandler: twilioSignatureHook({ authToken: ctx.config.twilioAuthToken, publicUrl: ctx.config.publicUrl, scheme: 'http' }) },
    async (request: FastifyRequest, reply: FastifyReply) => {
      const body = (request.body ?? {}) as FormParams;
      const callSid = typeof body.CallSid === 'string' ? body.CallSid : undefined;
      const fields: Record<string, string> = {};
      for (const name of LOGGED) {
        const value = body[name];
        if (typeof value === 'string') fields[name] = value;
      }
      const log = request.log.child({ callSid });
      if (fields.SessionStatus === 'failed') log.warn(fields, 'relay session failed');
      else log.info(fields, 'relay session ended');
      return reply.type('text/xml').send(hangupTwiml());
    },
  );
}
