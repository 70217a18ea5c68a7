/**
 * Building blocks for mutations: decorate a relay session's inbound frames, outbound frames or end
 * signal; rewrite the agent's trace exports on their way to Coval (body, headers, answer).
 */
import type { RawData } from 'ws';
import type { ResolvedAgentConfig } from '../../agent/config.ts';
import type { CallIo, CallSession, SessionFactory } from '../../agent/deps.ts';

/** A JSON object frame, loosely typed: mutations read and rewrite a field or two. */
export type Frame = Record<string, unknown>;

/** The text of a text WebSocket message, or undefined for a binary one. */
export function rawText(data: RawData, isBinary: boolean): string | undefined {
  if (isBinary) return undefined;
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data).toString('utf8');
}

/** The message as a JSON object, or undefined when it is binary, not JSON or not an object. */
export function frameOf(data: RawData, isBinary: boolean): Frame | undefined {
  const text = rawText(data, isBinary);
  if (text === undefined) return undefined;
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Frame) : undefined;
  } catch {
    return undefined;
  }
}

/** `frame` as a text message the session can be fed. */
export function rawOf(frame: Frame): RawData {
  return Buffer.from(JSON.stringify(frame), 'utf8');
}

/** How a session is decorated; each hook sees the undecorated session's counterpart. */
export interface SessionDecoration {
  /** Replaces `handleRaw`; `inner` is the reference session's. */
  readonly handleRaw?: (data: RawData, isBinary: boolean, inner: (data: RawData, isBinary: boolean) => void) => void;
  /** Replaces the session's `send` (frames as JSON text); `inner` sends to Twilio. */
  readonly send?: (frame: string, inner: (frame: string) => void) => void;
  /** Races the session's `ended` signal (the shell closes the socket when it resolves). */
  readonly ended?: Promise<void>;
}

/** A session factory whose sessions are decorated; `decorate` runs once per call (per-call state lives in its closure). */
export function decorateSessions(decorate: () => SessionDecoration): (create: SessionFactory) => SessionFactory {
  return (create) => (io: CallIo): CallSession => {
    const d = decorate();
    const send = d.send;
    const inner = create(send ? { logger: io.logger, send: (frame) => send(frame, (f) => io.send(f)) } : io);
    const handle = d.handleRaw;
    const feed = (data: RawData, isBinary: boolean): void => void inner.handleRaw(data, isBinary);
    return {
      handleRaw: handle ? (data, isBinary) => handle(data, isBinary, feed) : (data, isBinary) => inner.handleRaw(data, isBinary),
      ended: d.ended ? Promise.race([inner.ended, d.ended]) : inner.ended,
      close: () => inner.close(),
      get callSid() {
        return inner.callSid;
      },
      get simulationOutputId() {
        return inner.simulationOutputId;
      },
    };
  };
}

/** The parts of one trace export request a mutation may change. */
export interface ExportRequest {
  headers: Record<string, string>;
  body: string;
}

/** Wraps the agent's network so that only POSTs to COVAL_TRACES_URL go through `rewrite` (the LLM traffic is untouched). */
export function rewriteExports(
  rewrite: (request: ExportRequest) => ExportRequest,
  answer?: (response: Response) => Response | Promise<Response>,
): (fetch: typeof globalThis.fetch, config: ResolvedAgentConfig) => typeof globalThis.fetch {
  return (fetch, config) =>
    (async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
      const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
      if (url !== config.covalTracesUrl || init === undefined || typeof init.body !== 'string') return fetch(input, init);
      const changed = rewrite({ headers: { ...(init.headers as Record<string, string>) }, body: init.body });
      const response = await fetch(url, { ...init, headers: changed.headers, body: changed.body });
      return answer ? answer(response) : response;
    }) as typeof globalThis.fetch;
}

/** An OTLP/JSON span as the agent writes it. */
export interface JsonSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: { key: string; value: Record<string, unknown> }[];
  status: { code: number; message?: string };
}

/** Rewrites every span of each export body (OTLP/JSON `resourceSpans[].scopeSpans[].spans[]`). */
export function rewriteSpans(edit: (spans: JsonSpan[]) => void): (request: ExportRequest) => ExportRequest {
  return (request) => {
    const body = JSON.parse(request.body) as { resourceSpans: { scopeSpans: { spans: JsonSpan[] }[] }[] };
    edit(body.resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans)));
    return { ...request, body: JSON.stringify(body) };
  };
}

/** Sets attribute `key` of `span` to a double. */
export function setDouble(span: JsonSpan, key: string, value: number): void {
  const existing = span.attributes.find((a) => a.key === key);
  if (existing) existing.value = { doubleValue: value };
  else span.attributes.push({ key, value: { doubleValue: value } });
}
