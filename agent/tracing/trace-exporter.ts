import { AgentErrors } from '../errors.ts';
import type { Clock } from '../platform/clock.ts';
import type { IdGenerator } from '../platform/ids.ts';
import type { AgentLogger } from '../platform/logger.ts';
import type { Random } from '../platform/random.ts';
import type { CallLog } from '../session/call-log.ts';
import { createCovalTransport } from './coval-transport.ts';
import type { FetchLike } from './coval-transport.ts';
import { toOtlpJson } from './otlp-json.ts';
import { sendWithRetry } from './retrying-export.ts';
import type { RetryEvent, RetryPolicy } from './retrying-export.ts';
import { buildCallSpans } from './span-builder.ts';
import { str } from './span-record.ts';
import type { SpanAttributes } from './span-record.ts';

/** Settings for {@link createTraceExporter}. */
export interface TraceExporterOptions {
  readonly fetch: FetchLike;
  readonly clock: Clock;
  readonly random: Random;
  readonly ids: IdGenerator;
  readonly logger: AgentLogger;
  /** Coval's traces endpoint (`https://api.coval.dev/v1/traces`) or a fake's. */
  readonly url: string;
  /** Coval API key; when absent or empty every export is skipped (and logged). */
  readonly apiKey?: string;
  /** Resource `service.name`. */
  readonly serviceName: string;
  /** Per-attempt timeout in ms (default 30 000, Coval's documented timeout). */
  readonly timeoutMs?: number;
  /** Budget for one call's export including every retry and wait, in ms (default 60 000). */
  readonly retryDeadlineMs?: number;
  readonly retryPolicy?: RetryPolicy;
  /** Extra resource attributes on every trace (e.g. `agent.name`). */
  readonly resourceAttributes?: SpanAttributes;
  /** Largest body sent, in bytes (default 4 MiB; Coval advises staying under 3–4 MB). */
  readonly maxBodyBytes?: number;
}

/** Why a trace that should have reached Coval did not. */
export type UndeliveredReason =
  | 'rejected' // a non-retryable answer (400, 401, 403, 404, 413, 500, …)
  | 'retries-exhausted'
  | 'deadline'
  | 'aborted' // a drain ran out of time
  | 'invalid-call-log'
  | 'too-large'
  | 'internal-error';

/** What {@link TraceExporter.exportCall} did with one call's trace. */
export type ExportOutcome =
  | {
      readonly status: 'delivered';
      readonly callSid: string;
      readonly simulationOutputId: string;
      readonly attempts: number;
      readonly spanCount: number;
      /** Set when Coval accepted the batch but reported rejected spans. */
      readonly warning?: string;
    }
  | {
      readonly status: 'skipped';
      readonly callSid: string;
      readonly reason: 'no-simulation-id' | 'no-api-key';
      readonly simulationOutputId?: string;
    }
  | {
      readonly status: 'undelivered';
      readonly callSid: string;
      readonly simulationOutputId: string;
      readonly reason: UndeliveredReason;
      readonly error: string;
      readonly attempts: number;
      readonly httpStatus?: number;
    };

/** What {@link TraceExporter.drain} saw settle while it waited. */
export interface DrainReport {
  /** Exports that were delivered while draining. */
  readonly delivered: number;
  /** Simulation ids whose traces were not delivered while draining (failed, or cut at the timeout). */
  readonly undelivered: string[];
}

/** Exports finished calls' traces to Coval and can be drained at shutdown. */
export interface TraceExporter {
  /** Builds, encodes and POSTs one call's trace, retrying per policy; never rejects. */
  exportCall(log: CallLog): Promise<ExportOutcome>;
  /**
   * Waits, on the clock, for in-flight exports (including ones started meanwhile) for at most
   * `timeoutMs`, then aborts the rest and reports. New exports are still accepted afterwards.
   */
  drain(timeoutMs: number): Promise<DrainReport>;
  /** Exports not yet settled. */
  readonly inFlight: number;
}

const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_RETRY_DEADLINE_MS = 60_000;
const DEFAULT_MAX_BODY_BYTES = 4 * 1024 * 1024;

interface Collector {
  delivered: number;
  readonly undelivered: string[];
}

function positive(name: string, value: number): number {
  if (!(Number.isFinite(value) && value > 0)) {
    throw new AgentErrors.AGENT_ERR_TRACING_OPTIONS_INVALID(`${name} must be a positive number of milliseconds (actual: ${String(value)})`);
  }
  return value;
}

function checkUrl(url: string): string {
  if (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol)) {
    throw new AgentErrors.AGENT_ERR_TRACING_OPTIONS_INVALID(`url must be an http(s) URL (actual: '${url}')`);
  }
  return url;
}

function logRetryEvent(logger: AgentLogger, ids: Record<string, string>, event: RetryEvent): void {
  if (event.type === 'retry-scheduled') {
    logger.info({ ...ids, attempt: event.attempt, delayMs: event.delayMs, delaySource: event.source }, 'trace export retry scheduled');
  } else if (event.type === 'gave-up') {
    logger.warn({ ...ids, attempts: event.attempts, reason: event.reason, nextDelayMs: event.nextDelayMs }, 'trace export stopped retrying');
  } else {
    const { result } = event;
    const fields = { ...ids, attempt: event.attempt, result: result.status, httpStatus: result.httpStatus };
    if (result.status === 'success') {
      if (result.warning === undefined) logger.info(fields, 'trace export attempt succeeded');
      else logger.warn({ ...fields, warning: result.warning }, 'trace export attempt succeeded with rejected spans');
    } else if (result.status === 'retryable') {
      logger.warn({ ...fields, error: result.error, retryInMs: result.retryInMs }, 'trace export attempt failed (retryable)');
    } else {
      logger.error({ ...fields, error: result.error }, 'trace export attempt failed (not retryable)');
    }
  }
}

/**
 * Creates the agent's reliable Coval exporter (docs/agent-tracing.md): one POST per call, retried
 * only when OTLP allows, every attempt and every undelivered trace logged with its simulation id.
 * Throws AGENT_ERR_TRACING_OPTIONS_INVALID on a bad url or timeout.
 */
export function createTraceExporter(options: TraceExporterOptions): TraceExporter {
  const { clock, random, ids, logger, serviceName } = options;
  const url = checkUrl(options.url);
  const timeoutMs = positive('timeoutMs', options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  const retryDeadlineMs = positive('retryDeadlineMs', options.retryDeadlineMs ?? DEFAULT_RETRY_DEADLINE_MS);
  const maxBodyBytes = positive('maxBodyBytes', options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES);
  const apiKey = options.apiKey ?? '';
  const transport = createCovalTransport({ fetch: options.fetch, clock, url, apiKey });

  const inFlight = new Set<AbortController>();
  const collectors = new Set<Collector>();
  let wakers: (() => void)[] = [];
  const wake = (): void => {
    const current = wakers;
    wakers = [];
    for (const w of current) w();
  };

  function undelivered(log: CallLog, simulationOutputId: string, reason: UndeliveredReason, error: string, attempts: number, httpStatus?: number): ExportOutcome {
    logger.error({ callSid: log.callSid, simulationOutputId, reason, error, attempts, httpStatus }, 'trace not delivered to Coval');
    return { status: 'undelivered', callSid: log.callSid, simulationOutputId, reason, error, attempts, ...(httpStatus === undefined ? {} : { httpStatus }) };
  }

  async function deliver(log: CallLog, simulationOutputId: string, signal: AbortSignal): Promise<ExportOutcome> {
    let body: string;
    let spanCount: number;
    try {
      const spans = buildCallSpans(log, ids);
      spanCount = spans.length;
      const attributes: SpanAttributes = {
        ...options.resourceAttributes,
        ...(log.correlationMethod === undefined ? {} : { 'coval.correlation.method': str(log.correlationMethod) }),
      };
      body = JSON.stringify(toOtlpJson(spans, { serviceName, attributes }));
    } catch (error) {
      return undelivered(log, simulationOutputId, 'invalid-call-log', error instanceof Error ? error.message : String(error), 0);
    }
    const bytes = Buffer.byteLength(body);
    if (bytes > maxBodyBytes) {
      return undelivered(log, simulationOutputId, 'too-large', `the trace is ${bytes} bytes, over the ${maxBodyBytes}-byte limit`, 0);
    }
    const logIds = { callSid: log.callSid, simulationOutputId };
    const { result, attempts, gaveUp } = await sendWithRetry(
      transport,
      { body, simulationOutputId, timeoutMs, signal },
      { clock, random, deadlineMs: retryDeadlineMs, ...(options.retryPolicy ? { policy: options.retryPolicy } : {}), onEvent: (e) => logRetryEvent(logger, logIds, e) },
    );
    if (result.status === 'success') {
      logger.info({ ...logIds, attempts, spanCount }, 'trace delivered to Coval');
      return { status: 'delivered', ...logIds, attempts, spanCount, ...(result.warning === undefined ? {} : { warning: result.warning }) };
    }
    const reason: UndeliveredReason = signal.aborted
      ? 'aborted'
      : result.status === 'failure'
        ? 'rejected'
        : gaveUp === 'deadline'
          ? 'deadline'
          : 'retries-exhausted';
    return undelivered(log, simulationOutputId, reason, result.error, attempts, result.httpStatus);
  }

  async function exportCall(log: CallLog): Promise<ExportOutcome> {
    const simulationOutputId = log.simulationOutputId ?? '';
    if (simulationOutputId.trim() === '') {
      logger.info({ callSid: log.callSid }, 'trace not exported: no simulation output id was claimed for this call');
      return { status: 'skipped', callSid: log.callSid, reason: 'no-simulation-id' };
    }
    if (apiKey === '') {
      logger.warn({ callSid: log.callSid, simulationOutputId }, 'trace not exported: no Coval API key is configured (set COVAL_API_KEY)');
      return { status: 'skipped', callSid: log.callSid, reason: 'no-api-key', simulationOutputId };
    }
    const controller = new AbortController();
    inFlight.add(controller);
    let outcome: ExportOutcome;
    try {
      outcome = await deliver(log, simulationOutputId, controller.signal);
    } catch (error) {
      outcome = undelivered(log, simulationOutputId, 'internal-error', error instanceof Error ? error.message : String(error), 0);
    } finally {
      inFlight.delete(controller);
    }
    for (const c of collectors) {
      if (outcome.status === 'delivered') c.delivered++;
      else c.undelivered.push(simulationOutputId);
    }
    wake();
    return outcome;
  }

  async function drain(drainTimeoutMs: number): Promise<DrainReport> {
    const collector: Collector = { delivered: 0, undelivered: [] };
    collectors.add(collector);
    let timedOut = false;
    const timer = clock.setTimer(Math.max(0, Number.isFinite(drainTimeoutMs) ? drainTimeoutMs : 0), () => {
      timedOut = true;
      wake();
    });
    logger.info({ inFlight: inFlight.size, timeoutMs: drainTimeoutMs }, 'draining trace exports');
    while (inFlight.size > 0 && !timedOut) await new Promise<void>((resolve) => wakers.push(resolve));
    timer.cancel();
    // Cut what is left; aborted exports settle promptly and report themselves as undelivered.
    while (inFlight.size > 0) {
      for (const c of inFlight) c.abort();
      await new Promise<void>((resolve) => wakers.push(resolve));
    }
    collectors.delete(collector);
    const report: DrainReport = { delivered: collector.delivered, undelivered: collector.undelivered };
    if (report.undelivered.length > 0) logger.error({ ...report }, 'trace drain finished with undelivered traces');
    else logger.info({ ...report }, 'trace drain finished');
    return report;
  }

  return {
    exportCall,
    drain,
    get inFlight() {
      return inFlight.size;
    },
  };
}
