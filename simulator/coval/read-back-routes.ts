import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { toPlainJson } from '../otlp/model.ts';
import { errorReply } from './coval-responses.ts';
import { checkApiKey } from './ingest-checks.ts';
import { send, type IngestDeps } from './ingest-route.ts';
import { spanRow, summaryBody } from './span-rows.ts';

type Query = Record<string, string | undefined>;

function covalError(reply: FastifyReply, status: number, message: string, field?: string): FastifyReply {
  return send(reply, errorReply('coval', 'json', { status, message, ...(field ? { field } : {}) }));
}

function authorised(request: FastifyRequest, reply: FastifyReply, deps: IngestDeps): boolean {
  const r = checkApiKey(request.headers, deps.options.apiKey, deps.options.allowBasicAuth);
  if (!r) return true;
  covalError(reply, r.status, r.message);
  return false;
}

function known(deps: IngestDeps, id: string): boolean {
  return deps.store.isIssued(id) || deps.store.batches(id).length > 0;
}

function intParam(q: Query, name: string, fallback: number, max: number): number | string {
  const raw = q[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > max) return `${name} must be an integer in [0, ${max}] (actual: '${raw}')`;
  return n;
}

/** Coval's read-back endpoints plus the kit's own `/_relaysim/*` inspection routes. */
export function registerReadBackRoutes(app: FastifyInstance, deps: IngestDeps): void {
  const { store } = deps;

  app.get('/v1/traces/spans', (request, reply) => {
    if (!authorised(request, reply, deps)) return reply;
    const q = request.query as Query;
    const id = q.simulation_output_id ?? '';
    if (id === '') return covalError(reply, 400, 'simulation_output_id is required', 'simulation_output_id');
    const limit = intParam(q, 'limit', 100, 1000);
    const offset = intParam(q, 'offset', 0, Number.MAX_SAFE_INTEGER);
    if (typeof limit === 'string') return covalError(reply, 400, limit, 'limit');
    if (typeof offset === 'string') return covalError(reply, 400, offset, 'offset');
    if (!known(deps, id)) return covalError(reply, 404, 'Simulation output not found');
    const batches = store.batches(id);
    const spans = store.spans(id);
    return reply.send({ traces: spans.slice(offset, offset + limit).map((e) => spanRow(id, e, batches)), total_spans: spans.length });
  });

  app.get('/v1/traces/summary', (request, reply) => {
    if (!authorised(request, reply, deps)) return reply;
    const q = request.query as Query;
    const sim = q.simulation_id ?? '';
    const conv = q.conversation_id ?? '';
    if ((sim === '') === (conv === '')) return covalError(reply, 400, 'Provide exactly one of simulation_id or conversation_id', 'simulation_id');
    const id = sim || conv;
    if (!known(deps, id)) return covalError(reply, 404, 'Simulation output not found');
    return reply.send(summaryBody(sim ? 'simulation_id' : 'conversation_id', id, store.spans(id), store.finalize(id)));
  });

  app.get('/_relaysim/simulations', (_request, reply) => {
    const simulations = store.simulationIds().map((id) => {
      const findings = store.findings(id);
      return {
        simulation_id: id,
        issued: store.isIssued(id),
        batches: store.batches(id).length,
        spans: store.batches(id).reduce((n, b) => n + b.spanCount, 0),
        attempts: store.attempts(id).length,
        error_count: findings.filter((f) => f.severity === 'error').length,
        warn_count: findings.filter((f) => f.severity === 'warn').length,
        findings,
      };
    });
    return reply.send({ simulations });
  });

  app.get('/_relaysim/simulations/:id', (request, reply) => {
    const { id } = request.params as { id: string };
    if (!known(deps, id)) return covalError(reply, 404, `No simulation '${id}' was issued or captured`);
    return reply.send(toPlainJson({ simulation_id: id, issued: store.isIssued(id), batches: store.batches(id), attempts: store.attempts(id), findings: store.findings(id) }));
  });

  app.get('/_relaysim/attempts', (_request, reply) => reply.send({ attempts: store.attempts() }));
}
