/**
 * The mutation table: each entry is the reference agent with one planted bug, the scenario that
 * exercises it, and the check ids that must catch it (test/mutation/README.md lists them).
 */
import type { LlmClient, LlmRequest } from '../../agent/llm/llm-client.ts';
import { APOLOGY_TEXT } from '../../agent/session/relay-session.ts';
import { DEFAULT_RETRY_POLICY } from '../../agent/tracing/retrying-export.ts';
import { createTraceExporter } from '../../agent/tracing/trace-exporter.ts';
import { ForgetfulStore, TtlIgnoringStore } from './faulty-stores.ts';
import type { Mutation } from './mutant-agent.ts';
import { decorateSessions, frameOf, rawOf, rawText, rewriteExports, rewriteSpans, setDouble } from './mutation-kit.ts';

/** Where a check must report the bug: one call's result, the scenario-level result, or every call's. */
export type CaughtAt = number | 'scenario' | 'every-call';

/** One check that must catch a mutant. */
export interface Catch {
  readonly checkId: string;
  readonly at: CaughtAt;
  /** `fail` for a MUST check, `warn` for a SHOULD check. */
  readonly outcome: 'fail' | 'warn';
}

/** A mutant: a planted bug, the scenario that exercises it, and who catches it. */
export interface Mutant {
  readonly id: string;
  /** The bug in a few words. */
  readonly fault: string;
  /** A scenario id from `scenarios/` or `test/fixtures/scenarios/`. */
  readonly scenario: string;
  readonly caught: readonly Catch[];
  readonly mutation: Mutation;
}

/** The headers the agent uses to name the simulation (the transport writes `X-Simulation-Id`). */
function withoutTarget(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([k]) => k.toLowerCase() !== 'x-simulation-id'));
}

/** An LLM client that puts back the whole text of every earlier completion in the history it sends. */
function untruncatedHistory(llm: LlmClient): LlmClient {
  const streamed: { text: string }[] = [];
  const restore = (content: string): string => streamed.find((s) => content !== '' && s.text.length > content.length && s.text.startsWith(content))?.text ?? content;
  return {
    streamChat(request: LlmRequest) {
      const messages = request.messages.map((m) => (m.role === 'assistant' ? { ...m, content: restore(m.content) } : m));
      const record = { text: '' };
      streamed.push(record);
      const inner = llm.streamChat({ ...request, messages });
      return (async function* () {
        for await (const delta of inner) {
          if (delta.type === 'content') record.text += delta.text;
          yield delta;
        }
      })();
    },
  };
}

/** Every mutant of the suite. */
export const MUTANTS: readonly Mutant[] = [
  {
    id: 'fifo-registry',
    fault: 'the registry hands ids out first-in-first-out, ignoring from_number',
    scenario: 'four-callers-out-of-order-with-numbers',
    caught: [{ checkId: 'COR-OWN-SIMULATION-ID', at: 'every-call', outcome: 'fail' }],
    mutation: { config: (c) => ({ ...c, correlationStrategy: 'fifo' }) },
  },
  {
    id: 'ttl-ignored',
    fault: 'the registry store never lets a registration expire',
    scenario: 'registration-expired',
    caught: [{ checkId: 'COR-EXPIRED-NOT-USED', at: 0, outcome: 'fail' }],
    mutation: { store: () => new TtlIgnoringStore() },
  },
  {
    id: 'wrong-key-accepted',
    fault: '/register-simulation accepts any x-api-key',
    scenario: 'registration-wrong-key',
    caught: [
      { checkId: 'COR-WRONG-KEY-REFUSED', at: 0, outcome: 'fail' },
      { checkId: 'SEC-REGISTRATION-KEY', at: 'scenario', outcome: 'fail' },
    ],
    mutation: {
      app: (app, { config }) => {
        app.addHook('onRequest', async (request) => {
          if (request.url.startsWith('/register-simulation') && config.covalApiKey !== undefined) request.headers['x-api-key'] = config.covalApiKey;
        });
      },
    },
  },
  {
    id: 'claimed-id-kept',
    fault: 'the registry store does not remove a claimed id, so the next call from that number gets it again',
    scenario: 'registration-duplicate',
    caught: [
      { checkId: 'COR-DUPLICATE-SINGLE-CLAIM', at: 0, outcome: 'fail' },
      { checkId: 'COR-NO-ID-REUSE', at: 'scenario', outcome: 'fail' },
    ],
    mutation: { store: () => new ForgetfulStore() },
  },
  {
    id: 'no-last-true',
    fault: 'talk cycles never end with last:true',
    scenario: 'one-question-short-wait',
    caught: [{ checkId: 'CR-CYCLE-ENDS-LAST', at: 0, outcome: 'fail' }],
    mutation: {
      session: decorateSessions(() => ({
        send: (frame, send) => {
          const parsed = JSON.parse(frame) as { type?: string; last?: boolean; token?: string };
          if (parsed.type === 'text' && parsed.last === true) {
            if (parsed.token !== '') send(JSON.stringify({ ...parsed, last: false }));
            return;
          }
          send(frame);
        },
      })),
    },
  },
  {
    id: 'interrupt-ignored',
    fault: 'interrupt is ignored: the answer streams on and the barge-in prompt waits for it',
    scenario: 'barge-in-mid-answer',
    caught: [{ checkId: 'CR-INTERRUPT-STOPS', at: 0, outcome: 'fail' }],
    mutation: {
      session: decorateSessions(() => {
        let speaking = false;
        let held: { data: Parameters<typeof rawText>[0]; isBinary: boolean }[] = [];
        let feed: ((data: Parameters<typeof rawText>[0], isBinary: boolean) => void) | undefined;
        return {
          send: (frame, send) => {
            send(frame);
            const parsed = JSON.parse(frame) as { type?: string; last?: boolean };
            if (parsed.type !== 'text') return;
            speaking = parsed.last !== true;
            if (speaking || held.length === 0) return;
            const queued = held;
            held = [];
            queueMicrotask(() => {
              for (const h of queued) feed?.(h.data, h.isBinary);
            });
          },
          handleRaw: (data, isBinary, inner) => {
            feed = inner;
            const frame = frameOf(data, isBinary);
            if (frame?.type === 'interrupt') return;
            if (speaking && frame?.type === 'prompt' && frame.last !== false) {
              held.push({ data, isBinary });
              return;
            }
            inner(data, isBinary);
          },
        };
      }),
    },
  },
  {
    id: 'history-not-truncated',
    fault: 'after an interrupt the history keeps the whole reply, not what the caller heard',
    scenario: 'barge-in-mid-answer',
    caught: [{ checkId: 'CR-INTERRUPT-HISTORY', at: 0, outcome: 'fail' }],
    mutation: { llm: untruncatedHistory },
  },
  {
    id: 'partials-answered',
    fault: 'partial prompts (last:false) are answered like final ones',
    scenario: 'partial-prompts-spaced',
    caught: [{ checkId: 'CR-PARTIAL-NO-TURN', at: 0, outcome: 'fail' }],
    mutation: {
      session: decorateSessions(() => ({
        handleRaw: (data, isBinary, inner) => {
          const frame = frameOf(data, isBinary);
          if (frame?.type === 'prompt' && frame.last === false) inner(rawOf({ ...frame, last: true }), false);
          else inner(data, isBinary);
        },
      })),
    },
  },
  {
    id: 'sticky-simulation-id',
    fault: 'every export carries the X-Simulation-Id of the first call exported',
    scenario: 'four-callers-out-of-order-with-numbers',
    caught: [
      { checkId: 'COR-OWN-SIMULATION-ID', at: 'every-call', outcome: 'fail' },
      { checkId: 'COR-NO-ID-REUSE', at: 'scenario', outcome: 'fail' },
    ],
    mutation: {
      fetch: (fetch, config) => {
        let first: string | undefined;
        return rewriteExports((request) => {
          const id = request.headers['X-Simulation-Id'];
          first ??= id;
          return first === undefined ? request : { ...request, headers: { ...withoutTarget(request.headers), 'X-Simulation-Id': first } };
        })(fetch, config);
      },
    },
  },
  {
    id: 'no-simulation-id-header',
    fault: 'exports carry no X-Simulation-Id',
    scenario: 'greeting-and-one-question',
    caught: [{ checkId: 'OTLP-HEADERS', at: 'scenario', outcome: 'fail' }],
    mutation: { fetch: rewriteExports((request) => ({ ...request, headers: withoutTarget(request.headers) })) },
  },
  {
    id: 'base64-span-ids',
    fault: 'span ids are written base64 instead of hex',
    scenario: 'one-question-no-tools',
    caught: [{ checkId: 'OTLP-IDS', at: 0, outcome: 'fail' }],
    mutation: {
      fetch: rewriteExports(
        rewriteSpans((spans) => {
          const b64 = (hex: string) => Buffer.from(hex, 'hex').toString('base64');
          for (const s of spans) {
            s.spanId = b64(s.spanId);
            if (s.parentSpanId) s.parentSpanId = b64(s.parentSpanId);
          }
        }),
      ),
    },
  },
  {
    id: 'end-before-start',
    fault: 'one span (the llm span) ends before it starts',
    scenario: 'one-question-no-tools',
    caught: [{ checkId: 'OTLP-TIMES', at: 0, outcome: 'fail' }],
    mutation: {
      fetch: rewriteExports(
        rewriteSpans((spans) => {
          const span = spans.find((s) => s.name === 'llm' && BigInt(s.endTimeUnixNano) > BigInt(s.startTimeUnixNano));
          if (span) [span.startTimeUnixNano, span.endTimeUnixNano] = [span.endTimeUnixNano, span.startTimeUnixNano];
        }),
      ),
    },
  },
  {
    id: 'tts-ttfb-not-constant',
    fault: 'tts metrics.ttfb is 0.25 s, not the documented synthetic 0.1 s',
    scenario: 'one-question-no-tools',
    caught: [{ checkId: 'SPAN-SYNTHETIC-CONSTANTS', at: 0, outcome: 'fail' }],
    mutation: { fetch: rewriteExports(rewriteSpans((spans) => spans.filter((s) => s.name === 'tts').forEach((s) => setDouble(s, 'metrics.ttfb', 0.25)))) },
  },
  {
    id: 'stt-confidence-not-constant',
    fault: 'stt.confidence is 0.8, not the documented synthetic 0.95',
    scenario: 'one-question-no-tools',
    caught: [{ checkId: 'SPAN-SYNTHETIC-CONSTANTS', at: 0, outcome: 'fail' }],
    mutation: { fetch: rewriteExports(rewriteSpans((spans) => spans.filter((s) => s.name === 'stt').forEach((s) => setDouble(s, 'stt.confidence', 0.8)))) },
  },
  {
    id: 'constant-llm-ttfb',
    fault: 'llm metrics.ttfb is a constant 0.6 s instead of the measured time',
    scenario: 'llm-slow-first-token',
    caught: [{ checkId: 'SPAN-LLM-TTFB-REAL', at: 0, outcome: 'fail' }],
    mutation: { fetch: rewriteExports(rewriteSpans((spans) => spans.filter((s) => s.name === 'llm').forEach((s) => setDouble(s, 'metrics.ttfb', 0.6)))) },
  },
  {
    id: 'tool-error-status-ok',
    fault: 'a failed tool call has a tool_call_result span with status OK',
    scenario: 'tool-error-lab-results',
    caught: [{ checkId: 'SPAN-TOOL-PAIRS', at: 0, outcome: 'fail' }],
    mutation: {
      fetch: rewriteExports(
        rewriteSpans((spans) => {
          for (const s of spans) if (s.name === 'tool_call_result') s.status = { code: 1 };
        }),
      ),
    },
  },
  {
    id: 'dies-on-non-json',
    fault: 'a non-JSON frame ends the call (the session gives up and the socket is closed)',
    scenario: 'malformed-frames',
    caught: [{ checkId: 'ROB-SURVIVES-BAD-FRAMES', at: 0, outcome: 'fail' }],
    mutation: {
      session: decorateSessions(() => {
        let crash: () => void = () => undefined;
        const crashed = new Promise<void>((resolve) => (crash = resolve));
        let dead = false;
        return {
          ended: crashed,
          handleRaw: (data, isBinary, inner) => {
            if (dead) return;
            const text = rawText(data, isBinary);
            if (text !== undefined) {
              try {
                JSON.parse(text);
              } catch {
                dead = true;
                crash();
                return;
              }
            }
            inner(data, isBinary);
          },
        };
      }),
    },
  },
  {
    id: 'retries-400',
    fault: 'the exporter retries a 400 (it treats every failure as retryable)',
    scenario: 'coval-400-no-retry',
    caught: [{ checkId: 'OTLP-RETRY-ONLY-RETRYABLE', at: 0, outcome: 'fail' }],
    mutation: {
      fetch: rewriteExports(
        (request) => request,
        async (response) => (response.ok ? response : new Response(await response.text(), { status: 503, headers: { 'retry-after': '0' } })),
      ),
    },
  },
  {
    id: 'never-retries',
    fault: 'the exporter never retries, not even a 503',
    scenario: 'coval-503-then-200',
    caught: [
      { checkId: 'ROB-COVAL-OUTAGE', at: 0, outcome: 'fail' },
      { checkId: 'OTLP-RETRIES-RETRYABLE', at: 0, outcome: 'warn' },
    ],
    mutation: { exporter: (options) => createTraceExporter({ ...options, retryPolicy: { ...DEFAULT_RETRY_POLICY, maxRetries: 0 } }) },
  },
  {
    id: 'signatures-unchecked',
    fault: 'X-Twilio-Signature is never checked',
    scenario: 'one-question-no-tools',
    caught: [
      { checkId: 'SEC-WEBHOOK-SIGNATURE', at: 'scenario', outcome: 'fail' },
      { checkId: 'SEC-HANDSHAKE-SIGNATURE', at: 'scenario', outcome: 'fail' },
    ],
    mutation: {
      config: (c) => {
        const { twilioAuthToken: _ignored, ...rest } = c;
        return rest;
      },
    },
  },
  {
    id: 'tokens-trimmed',
    fault: 'text tokens are trimmed before they are sent',
    scenario: 'long-streamed-answer',
    caught: [{ checkId: 'CR-TOKENS-UNTRIMMED', at: 0, outcome: 'warn' }],
    mutation: {
      session: decorateSessions(() => ({
        send: (frame, send) => {
          const parsed = JSON.parse(frame) as { type?: string; token?: string; last?: boolean };
          if (parsed.type !== 'text' || typeof parsed.token !== 'string') return send(frame);
          const token = parsed.token.trim();
          if (token === '' && parsed.last !== true) return;
          send(JSON.stringify({ ...parsed, token }));
        },
      })),
    },
  },
  {
    id: 'silent-llm-failure',
    fault: 'an LLM failure is not apologised for: the apology is never sent',
    scenario: 'llm-http-500',
    caught: [{ checkId: 'ROB-LLM-ERROR-SPOKEN', at: 0, outcome: 'fail' }],
    mutation: {
      session: decorateSessions(() => ({
        send: (frame, send) => {
          const parsed = JSON.parse(frame) as { type?: string; token?: string };
          if (parsed.type === 'text' && parsed.token?.includes(APOLOGY_TEXT)) return;
          send(frame);
        },
      })),
    },
  },
  {
    id: 'dtmf-ignored',
    fault: 'key presses are dropped',
    scenario: 'dtmf-menu-choice',
    caught: [{ checkId: 'CR-DTMF-HANDLED', at: 0, outcome: 'warn' }],
    mutation: {
      session: decorateSessions(() => ({
        handleRaw: (data, isBinary, inner) => {
          if (frameOf(data, isBinary)?.type !== 'dtmf') inner(data, isBinary);
        },
      })),
    },
  },
  {
    id: 'handoff-as-object',
    fault: 'end carries handoffData as a JSON object instead of a string',
    scenario: 'agent-ends-call-handoff',
    caught: [{ checkId: 'CR-END-HANDOFF-STRING', at: 0, outcome: 'fail' }],
    mutation: {
      session: decorateSessions(() => ({
        send: (frame, send) => {
          const parsed = JSON.parse(frame) as { type?: string; handoffData?: unknown };
          if (parsed.type === 'end' && typeof parsed.handoffData === 'string') send(JSON.stringify({ ...parsed, handoffData: JSON.parse(parsed.handoffData) as unknown }));
          else send(frame);
        },
      })),
    },
  },
];

/** The mutants by id. */
export const MUTANTS_BY_ID: ReadonlyMap<string, Mutant> = new Map(MUTANTS.map((m) => [m.id, m]));
