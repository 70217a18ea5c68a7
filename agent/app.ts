import formbody from '@fastify/formbody';
import websocket from '@fastify/websocket';
import Fastify, { type FastifyInstance } from 'fastify';
import type { ResolvedAgentConfig } from './config.ts';
import { toFastifyLogger, type AgentDeps } from './deps.ts';
import { registerConnectAction } from './routes/connect-action.ts';
import { registerHealth } from './routes/health.ts';
import { OpenCalls } from './routes/open-calls.ts';
import { registerSimulationRoute, REGISTER_BODY_LIMIT } from './routes/register-simulation.ts';
import { MAX_SOCKET_MESSAGE_BYTES, registerRelaySocket } from './routes/relay-socket.ts';
import type { RouteContext } from './routes/route-context.ts';
import { registerVoiceWebhook } from './routes/voice-webhook.ts';

/** What the entry point needs to shut the agent down gracefully. */
export interface AgentControl {
  /** Calls in progress (socket open, or closed but not yet handed to the exporter). */
  readonly openCalls: number;
  /** False once {@link AgentControl.stopAccepting} was called. */
  readonly accepting: boolean;
  /** Refuses new calls, webhooks and registrations (503); `/health` turns to `draining`. */
  stopAccepting(): void;
  /** Resolves true once every call finished, false when `timeoutMs` of clock time passed first. */
  whenIdle(timeoutMs: number): Promise<boolean>;
  /** Closes every open call's socket with 1001; returns how many were cut. */
  cutOpenCalls(reason: string): number;
}

/** The Fastify app {@link buildAgent} returns, with its shutdown controls under `agent`. */
export type AgentApp = FastifyInstance & { readonly agent: AgentControl };

/**
 * Builds the reference agent's HTTP and WebSocket server (routes: POST /webhook, POST
 * /register-simulation, GET /ws, POST /connect-action, GET /health). Never listens: the caller
 * does, or drives it with `inject()`/`injectWS()`.
 */
export function buildAgent(config: ResolvedAgentConfig, deps: AgentDeps): AgentApp {
  const app: FastifyInstance = deps.logger === undefined
    ? Fastify({ logger: { level: config.logLevel }, bodyLimit: REGISTER_BODY_LIMIT })
    : Fastify({ loggerInstance: toFastifyLogger(deps.logger), bodyLimit: REGISTER_BODY_LIMIT });
  const calls = new OpenCalls(deps.clock);
  const control: AgentControl = {
    get openCalls() {
      return calls.size;
    },
    get accepting() {
      return calls.accepting;
    },
    stopAccepting: () => calls.stopAccepting(),
    whenIdle: (timeoutMs) => calls.whenIdle(timeoutMs),
    cutOpenCalls: (reason) => calls.cutAll(reason),
  };
  app.decorate('agent', control);

  const ctx: RouteContext = { config, deps, calls };
  app.register(formbody);
  app.register(websocket, {
    options: { maxPayload: MAX_SOCKET_MESSAGE_BYTES },
    // Socket errors are logged with the call's context by the relay route; a socket that is
    // already closing (e.g. 1009 for an oversized frame) is left to finish its close handshake.
    errorHandler: (error, socket, request) => {
      request.log.debug({ err: error.message }, 'websocket error');
      if (socket.readyState === socket.OPEN) socket.close(1011, 'internal error');
    },
  });
  app.register(async (scope) => {
    registerVoiceWebhook(scope, ctx);
    registerSimulationRoute(scope, ctx);
    registerRelaySocket(scope, ctx);
    registerConnectAction(scope, ctx);
    registerHealth(scope, ctx);
  });
  return app as AgentApp;
}
