import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { RawData, WebSocket } from 'ws';
import type { CallSession } from '../deps.ts';
import type { AgentLogger } from '../platform/logger.ts';
import type { RouteContext } from './route-context.ts';
import { twilioSignatureHook } from './twilio-signature.ts';
import { RELAY_PATH } from './voice-webhook.ts';

/**
 * Largest WebSocket message the socket buffers at all; a larger one closes the call with 1009.
 * Below it, the session drops (and logs) frames over its own 64 KiB limit and the call goes on.
 */
export const MAX_SOCKET_MESSAGE_BYTES = 1024 * 1024;

const OPEN = 1;

function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * `GET /ws`: the ConversationRelay socket. The handshake is refused (403) without a valid
 * signature over the `wss://` URL when a token is configured, and (503) while shutting down.
 * Each socket gets one relay session; when the socket closes, the session's call log goes to the
 * exporter without holding the socket.
 */
export function registerRelaySocket(app: FastifyInstance, ctx: RouteContext): void {
  const verifySignature = twilioSignatureHook({ authToken: ctx.config.twilioAuthToken, publicUrl: ctx.config.publicUrl, scheme: 'ws' });
  app.get(
    RELAY_PATH,
    {
      websocket: true,
      onRequest: async (request: FastifyRequest, reply: FastifyReply) => {
        if (!ctx.calls.accepting) {
          request.log.warn({}, 'relay connection refused: the agent is shutting down');
          return reply.code(503).send({ statusCode: 503, error: 'Service Unavailable', message: 'Shutting down' });
        }
        return verifySignature(request, reply);
      },
    },
    (socket: WebSocket, request: FastifyRequest) => {
      const baseLog: AgentLogger = request.log;
      const call = ctx.calls.open(socket);
      let session: CallSession;
      try {
        session = ctx.deps.createSession({
          send: (frame) => {
            if (socket.readyState === OPEN) socket.send(frame);
          },
          logger: baseLog,
        });
      } catch (error) {
        baseLog.error({ err: describeError(error) }, 'relay session could not be created; closing the socket');
        call.finish();
        socket.close(1011, 'internal error');
        return;
      }

      // Socket-level lines carry the call's ids as soon as the session knows them.
      const callLog = (): AgentLogger => baseLog.child({ callSid: session.callSid, simulationOutputId: session.simulationOutputId });
      const frameFailed = (error: unknown): void => callLog().error({ err: describeError(error) }, 'relay session failed on a frame');
      socket.on('message', (data: RawData, isBinary: boolean) => {
        try {
          const pending = session.handleRaw(data, isBinary);
          if (pending instanceof Promise) pending.catch(frameFailed);
        } catch (error) {
          frameFailed(error);
        }
      });
      socket.on('error', (error: Error & { code?: string }) => {
        callLog().warn({ err: error.message, code: error.code }, 'relay socket error');
      });
      session.ended.then(
        () => {
          if (socket.readyState === OPEN) socket.close(1000, 'session ended');
        },
        (error: unknown) => callLog().error({ err: describeError(error) }, 'relay session end signal failed'),
      );
      socket.once('close', (code: number, reason: Buffer) => {
        void session
          .close()
          .then(
            (callLog) => {
              const log = baseLog.child({ callSid: callLog.callSid, simulationOutputId: callLog.simulationOutputId });
              log.info({ code, reason: reason.toString('utf8'), events: callLog.events.length }, 'call ended');
              // Not awaited: the socket is already free; the exporter logs what became of the trace.
              ctx.deps.exporter.exportCall(callLog).catch((error: unknown) => {
                log.error({ err: describeError(error) }, 'trace export failed unexpectedly');
              });
            },
            (error: unknown) => callLog().error({ err: describeError(error), code }, 'relay session failed to close; no trace for this call'),
          )
          .finally(() => call.finish());
      });
    },
  );
}
