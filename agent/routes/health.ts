import type { FastifyInstance } from 'fastify';
import type { RouteContext } from './route-context.ts';

/**
 * `GET /health`: `{status, openCalls, pendingRegistrations}`; 200 with `ok`, or 503 with
 * `draining` once shutdown began, so a load balancer stops sending new calls.
 */
export function registerHealth(app: FastifyInstance, ctx: RouteContext): void {
  app.get('/health', async (_request, reply) => {
    const pendingRegistrations = await ctx.deps.registry.pending();
    const status = ctx.calls.accepting ? 'ok' : 'draining';
    return reply.code(ctx.calls.accepting ? 200 : 503).send({ status, openCalls: ctx.calls.size, pendingRegistrations });
  });
}
