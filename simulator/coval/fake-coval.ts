import Fastify, { type FastifyInstance } from 'fastify';
import { SimErrors } from '../core/errors.ts';
import { errorReply } from './coval-responses.ts';
import { dialPayload, sendPreCallWebhook, type DialOptions, type DialRecord } from './dialer.ts';
import { FaultPlans } from './fault-plan.ts';
import { resolveFakeCovalOptions, type FakeCovalOptions, type ResolvedFakeCovalOptions } from './fake-coval-options.ts';
import { ingestErrorReply, registerIngestRoute, send, type IngestDeps } from './ingest-route.ts';
import { registerReadBackRoutes } from './read-back-routes.ts';
import { TraceStore, type StoredBatch, type WaitForBatchOptions } from './trace-store.ts';

/** The fake Coval: an unstarted Fastify app plus the dialer, store, fault plans and awaitables. */
export interface FakeCoval {
  /** The HTTP app (`POST /v1/traces`, read-back, `/_relaysim/*`); the caller listens or injects. */
  readonly app: FastifyInstance;
  /** Captured batches and attempts. */
  readonly store: TraceStore;
  /** Scripted faults (503/429/500/400, latency, resets) per simulation or global. */
  readonly faults: FaultPlans;
  /** Every pre-call webhook sent, in order. */
  readonly dials: readonly DialRecord[];
  /** The resolved options. */
  readonly options: ResolvedFakeCovalOptions;
  /** Marks `id` as issued and POSTs the pre-call webhook to the agent, recording the answer. */
  dial(options: DialOptions): Promise<DialRecord>;
  /** Marks `id` as issued without dialing (e.g. a monitoring conversation id). */
  issue(id: string): void;
  /** Resolves on the first accepted batch of `simulationId`; times out on the clock with a named error. */
  waitForBatch(simulationId: string, options: WaitForBatchOptions): Promise<StoredBatch>;
  /** Forgets batches, attempts, issued ids, dials and fault plans. */
  reset(): void;
}

/**
 * Builds the fake Coval (architecture §3 steps 2 and 5; otlp-coval.md §4–§5): pre-call dialer,
 * strict OTLP ingest in JSON and protobuf (gzip, size limit, auth, simulation-id rules), per-
 * simulation storage with validator findings, fault injection and Coval-shaped read-back.
 * It never listens: tests call `app.inject()` or `app.listen({port: 0})`.
 */
export function buildFakeCoval(options: FakeCovalOptions = {}): FakeCoval {
  const resolved = resolveFakeCovalOptions(options);
  const store = new TraceStore(resolved.clock, resolved.validate);
  const faults = new FaultPlans();
  const deps: IngestDeps = { options: resolved, store, faults };
  const dials: DialRecord[] = [];
  const app = Fastify({ logger: false });

  // Raw bytes for every content type: the ingest decides (415, JSON, protobuf) itself, so
  // Fastify's JSON parser must never see an OTLP body (empty or malformed JSON would 400 early).
  app.removeAllContentTypeParsers();
  const raw = (_req: unknown, body: Buffer, done: (err: null, body: Buffer) => void): void => done(null, body);
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, raw);
  app.addContentTypeParser('application/x-protobuf', { parseAs: 'buffer' }, raw);
  app.addContentTypeParser('*', { parseAs: 'buffer' }, raw);

  app.setErrorHandler((err: { statusCode?: number; message: string }, request, reply) => {
    if (request.url.split('?')[0] === '/v1/traces') return send(reply, ingestErrorReply(request, err, deps));
    const status = err.statusCode !== undefined && err.statusCode >= 400 ? err.statusCode : 500;
    return send(reply, errorReply('coval', 'json', { status, message: err.message }));
  });

  registerIngestRoute(app, deps);
  registerReadBackRoutes(app, deps);

  return {
    app,
    store,
    faults,
    dials,
    options: resolved,
    async dial(o: DialOptions): Promise<DialRecord> {
      const fetchFn = o.fetch ?? resolved.fetch;
      if (!fetchFn) throw new SimErrors.SIM_ERR_COVAL_DIAL_INVALID('no fetch: pass `fetch` to dial() or to buildFakeCoval()');
      if (!o.simulationOutputId) throw new SimErrors.SIM_ERR_COVAL_DIAL_INVALID('simulationOutputId must be a non-empty string');
      dialPayload(o);
      store.issue(o.simulationOutputId);
      const record = await sendPreCallWebhook(o, resolved.clock, fetchFn, o.timeoutMs ?? resolved.dialTimeoutMs);
      dials.push(record);
      return record;
    },
    issue: (id) => store.issue(id),
    waitForBatch: (id, o) => store.waitForBatch(id, o),
    reset() {
      store.reset();
      faults.clear();
      dials.length = 0;
    },
  };
}
