import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { MAX_NUMBER_LENGTH, MAX_SIMULATION_ID_LENGTH, type RegisterResult } from '../registry/simulation-registry.ts';
import { apiKeyMatches } from './api-key.ts';
import type { RouteContext } from './route-context.ts';

/** Registrations are a few hundred bytes; anything larger is refused with 413. */
export const REGISTER_BODY_LIMIT = 16 * 1024;
/** Seconds a refused registration is told to wait (`Retry-After`). */
export const REGISTER_RETRY_AFTER_SECONDS = 5;

const PhoneNumber = Type.Union([Type.String({ maxLength: MAX_NUMBER_LENGTH }), Type.Null()]);

/** Coval's pre-call webhook payload (otlp-coval.md §4.2); unknown fields are ignored. */
export const RegisterSimulationBody = Type.Object({
  simulation_output_id: Type.String({ minLength: 1, maxLength: MAX_SIMULATION_ID_LENGTH }),
  from_number: Type.Optional(PhoneNumber),
  to_number: Type.Optional(PhoneNumber),
});

const WIRE_NAMES = { simulationOutputId: 'simulation_output_id', fromNumber: 'from_number', toNumber: 'to_number' } as const;

function badRequest(reply: FastifyReply, message: string): FastifyReply {
  return reply.code(400).send({ statusCode: 400, error: 'Bad Request', message });
}

function unavailable(reply: FastifyReply, message: string, code?: string): FastifyReply {
  return reply
    .code(503)
    .header('retry-after', String(REGISTER_RETRY_AFTER_SECONDS))
    .send({ statusCode: 503, error: 'Service Unavailable', message, ...(code === undefined ? {} : { code }) });
}

/**
 * `POST /register-simulation`: Coval's pre-call webhook. `x-api-key` must equal COVAL_API_KEY
 * (401 otherwise, and always when none is configured); the body must carry `simulation_output_id`
 * (400); the id is queued for the next matching call. Replies `{"status":"ok","queued":N}`, plus
 * `"duplicate":true` for an id already queued or used; 503 with Retry-After when the registry is full.
 */
export function registerSimulationRoute(app: FastifyInstance, ctx: RouteContext): void {
  const expectedKey = ctx.config.covalApiKey;
  app.post(
    '/register-simulation',
    {
      bodyLimit: REGISTER_BODY_LIMIT,
      // Checked before the body is even read, so an unauthenticated flood costs no parsing.
      onRequest: async (request: FastifyRequest, reply: FastifyReply) => {
        if (expectedKey === undefined) {
          request.log.warn({}, 'registration refused: COVAL_API_KEY is not set, so no caller can be authenticated');
          return reply.code(401).send({ statusCode: 401, error: 'Unauthorized', message: 'Registration is disabled: COVAL_API_KEY is not set on the agent' });
        }
        if (!apiKeyMatches(request.headers['x-api-key'], expectedKey)) {
          request.log.warn({ keyPresent: request.headers['x-api-key'] !== undefined }, 'registration refused: wrong or missing x-api-key');
          return reply.code(401).send({ statusCode: 401, error: 'Unauthorized', message: 'Invalid API key' });
        }
        return undefined;
      },
    },
    async (request: FastifyRequest, reply: FastifyReply) => {
      const body: unknown = request.body;
      const firstError = Value.Errors(RegisterSimulationBody, body).First();
      if (firstError !== undefined) {
        const where = firstError.path === '' ? 'body' : firstError.path.slice(1);
        request.log.warn({ field: where }, 'registration refused: invalid body');
        return badRequest(reply, `Invalid registration: ${where}: ${firstError.message}; send {"simulation_output_id": "<id>", "from_number"?: "<E.164>", "to_number"?: "<E.164>"}`);
      }
      const input = body as Static<typeof RegisterSimulationBody>;
      const log = request.log.child({ simulationOutputId: input.simulation_output_id });
      if (!ctx.calls.accepting) {
        log.warn({}, 'registration refused: the agent is shutting down');
        return unavailable(reply, 'Shutting down; register with another replica');
      }
      let result: RegisterResult;
      try {
        result = await ctx.deps.registry.register({
          simulationOutputId: input.simulation_output_id,
          fromNumber: input.from_number,
          toNumber: input.to_number,
        });
      } catch (error) {
        // A shared store (Redis) that is down is an outage, not a bug: Coval should retry.
        if ((error as { code?: unknown }).code !== 'AGENT_ERR_REGISTRY_UNAVAILABLE') throw error;
        log.error({ err: error }, 'registration refused: the registry store is unavailable');
        return unavailable(reply, 'Registry store unavailable; retry later', 'AGENT_ERR_REGISTRY_UNAVAILABLE');
      }
      switch (result.status) {
        case 'registered':
          log.info({ fromNumber: result.registration.fromNumber, toNumber: result.registration.toNumber, queued: result.pending, expired: result.evicted }, 'simulation registered');
          return reply.send({ status: 'ok', queued: result.pending });
        case 'duplicate':
          log.info({ queued: result.pending }, 'simulation already registered; duplicate ignored');
          return reply.send({ status: 'ok', queued: result.pending, duplicate: true });
        case 'invalid':
          log.warn({ field: result.field, reason: result.reason }, 'registration refused: invalid field');
          return badRequest(reply, `Invalid registration: ${WIRE_NAMES[result.field]} ${result.reason}`);
        case 'refused':
          log.warn({ pending: result.pending, capacity: result.capacity }, 'registration refused: registry full (MAX_PENDING_SIMULATIONS)');
          return unavailable(reply, `Registry full (${result.pending} of ${result.capacity} pending); retry later`);
      }
    },
  );
}
