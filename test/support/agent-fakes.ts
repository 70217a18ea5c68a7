import { createHmac } from 'node:crypto';
import type { RawData } from 'ws';
import { buildAgent, type AgentApp } from '../../agent/app.ts';
import { loadAgentConfig, type ResolvedAgentConfig } from '../../agent/config.ts';
import type { CallExporter, CallIo, CallSession, DrainSummary, SessionFactory } from '../../agent/deps.ts';
import { createRecordingLogger, type RecordedLogLine } from '../../agent/platform/logger.ts';
import { ManualClock } from '../../agent/platform/manual-clock.ts';
import { MemoryRegistryStore } from '../../agent/registry/memory-store.ts';
import { SimulationRegistry } from '../../agent/registry/simulation-registry.ts';
import type { CallLog } from '../../agent/session/call-log.ts';

/** The token of the worked signature examples in conversationrelay.md §3.4 and §5.3. */
export const TEST_AUTH_TOKEN = 'test_auth_token';
export const TEST_COVAL_KEY = 'coval-test-key';
export const TEST_PUBLIC_URL = 'https://agent.example.com';

/** The base environment of agent tests; override per test. */
export const TEST_ENV: Readonly<Record<string, string>> = {
  OPENAI_API_KEY: 'sk-test',
  COVAL_API_KEY: TEST_COVAL_KEY,
  TWILIO_AUTH_TOKEN: TEST_AUTH_TOKEN,
  PUBLIC_URL: TEST_PUBLIC_URL,
  LOG_LEVEL: 'debug',
};

/**
 * X-Twilio-Signature computed from the algorithm's definition (conversationrelay.md §5.3) with
 * node:crypto, independently of the twilio package the agent validates with.
 */
export function twilioSignature(token: string, url: string, params: Readonly<Record<string, string>> = {}): string {
  const data = Object.keys(params)
    .sort()
    .reduce((acc, key) => acc + key + params[key], url);
  return createHmac('sha1', token).update(Buffer.from(data, 'utf8')).digest('base64');
}

/** A relay session double: records frames; `setup` claims from the registry; prompt `bye` ends the call. */
export interface FakeSession extends CallSession {
  readonly io: CallIo;
  readonly frames: Array<{ readonly text: string; readonly isBinary: boolean }>;
  closed: boolean;
}

/** A {@link SessionFactory} whose sessions are kept in `sessions` for assertions. */
export function createFakeSessionFactory(registry: SimulationRegistry, clock: ManualClock): SessionFactory & { readonly sessions: FakeSession[] } {
  const sessions: FakeSession[] = [];
  const factory = (io: CallIo): CallSession => {
    let endSession: () => void = () => {};
    const ended = new Promise<void>((resolve) => {
      endSession = resolve;
    });
    let callSid = 'unknown';
    let simulationOutputId: string | undefined;
    let work: Promise<void> = Promise.resolve();
    const startedAtMs = clock.epochMs();
    const session: FakeSession = {
      io,
      frames: [],
      closed: false,
      ended,
      get callSid() {
        return callSid === 'unknown' ? undefined : callSid;
      },
      get simulationOutputId() {
        return simulationOutputId;
      },
      handleRaw(data: RawData, isBinary: boolean) {
        const text = Buffer.isBuffer(data) ? data.toString('utf8') : Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.from(data).toString('utf8');
        session.frames.push({ text, isBinary });
        const frame = JSON.parse(text) as { type: string; callSid?: string; from?: string; voicePrompt?: string };
        if (frame.type === 'setup') {
          callSid = frame.callSid ?? callSid;
          work = registry.claim(frame.from === undefined ? {} : { from: frame.from }).then((claim) => {
            if (claim.status === 'claimed') simulationOutputId = claim.simulationOutputId;
            io.logger.child({ callSid, simulationOutputId }).info({}, 'fake session set up');
          });
        } else if (frame.type === 'prompt' && frame.voicePrompt === 'bye') {
          io.send(JSON.stringify({ type: 'text', token: 'Goodbye.', last: true }));
          io.send(JSON.stringify({ type: 'end' }));
          endSession();
        } else if (frame.type === 'prompt') {
          io.send(JSON.stringify({ type: 'text', token: `You said: ${frame.voicePrompt ?? ''}`, last: true }));
        }
      },
      async close(): Promise<CallLog> {
        await work;
        session.closed = true;
        return {
          callSid,
          startedAtMs,
          endedAtMs: clock.epochMs(),
          events: [],
          ...(simulationOutputId === undefined ? {} : { simulationOutputId }),
        };
      },
    };
    sessions.push(session);
    return session;
  };
  return Object.assign(factory, { sessions });
}

/** A {@link CallExporter} double that records every exported call and drains as scripted. */
export function createFakeExporter(drainResult: DrainSummary = { delivered: 0, undelivered: [] }): CallExporter & {
  readonly exported: CallLog[];
  readonly drains: number[];
} {
  const exported: CallLog[] = [];
  const drains: number[] = [];
  return {
    exported,
    drains,
    exportCall: async (log) => {
      exported.push(log);
      return { status: 'delivered' };
    },
    drain: async (timeoutMs) => {
      drains.push(timeoutMs);
      return drainResult;
    },
  };
}

/** An agent built with fakes around it, for in-process tests. */
export interface TestAgent {
  readonly app: AgentApp;
  readonly config: ResolvedAgentConfig;
  readonly clock: ManualClock;
  readonly registry: SimulationRegistry;
  readonly sessions: FakeSession[];
  readonly exporter: ReturnType<typeof createFakeExporter>;
  readonly lines: RecordedLogLine[];
}

/** Builds the agent over {@link TEST_ENV} plus `env`; entries set to undefined are removed. */
export function buildTestAgent(env: Readonly<Record<string, string | undefined>> = {}): TestAgent {
  const config = loadAgentConfig({ ...TEST_ENV, ...env });
  const clock = new ManualClock();
  const registry = new SimulationRegistry(new MemoryRegistryStore(), clock, {
    ttlMs: config.simulationTtlSeconds * 1000,
    capacity: config.maxPendingSimulations,
    strategy: config.correlationStrategy,
  });
  const createSession = createFakeSessionFactory(registry, clock);
  const exporter = createFakeExporter();
  const logger = createRecordingLogger();
  const app = buildAgent(config, { clock, registry, createSession, exporter, logger });
  return { app, config, clock, registry, sessions: createSession.sessions, exporter, lines: logger.lines };
}

/** Form-encodes Twilio parameters for `inject()`. */
export function formPayload(params: Readonly<Record<string, string>>): { payload: string; headers: Record<string, string> } {
  return { payload: new URLSearchParams(params).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } };
}

/** Resolves when `predicate` holds, checking after each turn of the event loop; rejects after `limit` turns. */
export async function eventually(what: string, predicate: () => boolean, limit = 1000): Promise<void> {
  for (let i = 0; i < limit; i++) {
    if (predicate()) return;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  throw new Error(`Timed out waiting for ${what} (${limit} event-loop turns)`);
}

/** Rejects with a message naming `what` when `promise` has not settled within `ms` real milliseconds. */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`Timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** A client socket's received text frames and close, for awaiting without sleeps. */
export interface SocketProbe {
  readonly messages: string[];
  /** Resolves with the close code and reason. */
  readonly closed: Promise<{ code: number; reason: string }>;
  /** Resolves with the `n`-th (1-based) message once it arrived. */
  nth(n: number, what?: string): Promise<string>;
}

/** Starts recording `socket` (a `ws` client). */
export function probeSocket(socket: import('ws').WebSocket): SocketProbe {
  const messages: string[] = [];
  let waiters: Array<() => void> = [];
  socket.on('message', (data) => {
    messages.push(data.toString());
    const current = waiters;
    waiters = [];
    for (const w of current) w();
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) => {
    socket.once('close', (code, reason) => resolve({ code, reason: reason.toString() }));
  });
  return {
    messages,
    closed,
    nth(n, what = `message #${n}`) {
      const ready = new Promise<string>((resolve) => {
        const check = (): void => {
          const m = messages[n - 1];
          if (m !== undefined) resolve(m);
          else waiters.push(check);
        };
        check();
      });
      return within(ready, 5_000, what);
    },
  };
}

/** Opens a real `ws` client socket; rejects with `Unexpected server response: <status>` when refused. */
export async function connectSocket(url: string, headers: Record<string, string> = {}): Promise<import('ws').WebSocket> {
  const { WebSocket } = await import('ws');
  const socket = new WebSocket(url, { headers });
  const opened = new Promise<import('ws').WebSocket>((resolve, reject) => {
    socket.once('open', () => resolve(socket));
    socket.once('error', reject);
  });
  return within(opened, 5_000, `the WebSocket handshake with ${url}`);
}

/** One streamed chat-completion chunk's `choices[0]` content. */
export type SseChoice = { readonly delta: Record<string, unknown>; readonly finish_reason?: string | null };

/** An OpenAI chat-completions SSE body: one `data:` event per choice, a usage chunk, then `[DONE]`. */
export function openAiSse(choices: readonly SseChoice[]): string {
  const base = { id: 'chatcmpl-test', object: 'chat.completion.chunk', created: 1_767_225_600, model: 'gpt-4o-mini' };
  const events = choices.map((c) => ({ ...base, choices: [{ index: 0, delta: c.delta, finish_reason: c.finish_reason ?? null }] }));
  events.push({ ...base, choices: [], usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 } } as never);
  return `${events.map((e) => `data: ${JSON.stringify(e)}\n\n`).join('')}data: [DONE]\n\n`;
}

/** Chunks that speak `text` word by word and stop. */
export function spokenSse(text: string): string {
  const words = text.split(/(?<= )/);
  return openAiSse([{ delta: { role: 'assistant', content: '' } }, ...words.map((w) => ({ delta: { content: w } })), { delta: {}, finish_reason: 'stop' }]);
}

/** Chunks that call one tool and stop with `tool_calls`. */
export function toolCallSse(id: string, name: string, args: string): string {
  return openAiSse([
    { delta: { role: 'assistant', content: null, tool_calls: [{ index: 0, id, type: 'function', function: { name, arguments: '' } }] } },
    { delta: { tool_calls: [{ index: 0, function: { arguments: args } }] } },
    { delta: {}, finish_reason: 'tool_calls' },
  ]);
}
