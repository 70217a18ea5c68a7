/**
 * One call's timeline as rows on the run clock: registration POSTs, the voice webhook, relay frames
 * both ways (an agent's `text` tokens coalesced per talk cycle; an interrupt or a final prompt closes
 * the group, so tokens that follow it show as their own row), the LLM requests (arrival, first token, end), the
 * Coval export attempts, caller steps and the session end. Wall-clock values (dials, attempts) are
 * moved onto the run clock with the record's timebase.
 */
import type { CallRecord, RunRecord } from '../scenario/run-record.ts';
import type { RelayFrame } from '../twilio/relay-client.ts';
import { anchors } from './evidence-location.ts';

/** Which track a row belongs to. `to-agent`/`from-agent` are relay frames. */
export type TimelineLane = 'registration' | 'webhook' | 'to-agent' | 'from-agent' | 'llm' | 'export' | 'step' | 'session';

/** One row: a point (`endMs === startMs`) or a span of time. */
export interface TimelineRow {
  readonly lane: TimelineLane;
  readonly startMs: number;
  readonly endMs: number;
  /** Points inside the row (an LLM request's first token). */
  readonly marks: readonly { readonly atMs: number; readonly label: string }[];
  readonly title: string;
  /** Untrusted text (agent output, bodies): escape before display. */
  readonly detail: string;
  readonly anchor: string;
  /** Anchors of the other things this row stands for (the frames of a coalesced group). */
  readonly extraAnchors: readonly string[];
  readonly tone: 'normal' | 'bad' | 'warn' | 'muted';
}

type Parsed = Record<string, unknown>;
const str = (v: unknown): string => (typeof v === 'string' ? v : v === undefined ? '' : JSON.stringify(v));

function frameRow(s: number, call: CallRecord, f: RelayFrame, bad: ReadonlyMap<number, string>): TimelineRow {
  const p = (typeof f.parsed === 'object' && f.parsed !== null ? f.parsed : {}) as Parsed;
  const type = typeof p.type === 'string' ? p.type : undefined;
  const toAgent = f.dir === 'out';
  let title = type ?? (f.binary ? 'binary frame' : 'invalid frame');
  let detail = f.raw;
  if (type === 'setup') detail = `from ${str(p.from)} to ${str(p.to)} callSid ${str(p.callSid)}`;
  else if (type === 'prompt') {
    title = p.last === false ? 'prompt (partial)' : 'prompt';
    detail = str(p.voicePrompt);
  } else if (type === 'interrupt') detail = `heard "${str(p.utteranceUntilInterrupt)}" after ${str(p.durationUntilInterruptMs)} ms`;
  else if (type === 'dtmf') detail = `digit ${str(p.digit)}`;
  else if (type === 'end') detail = `handoffData ${str(p.handoffData)}`;
  else if (type === 'play') detail = str(p.source);
  else if (type === 'sendDigits') detail = str(p.digits);
  else if (type === 'error') detail = str(p.description);
  const problem = bad.get(f.index);
  return {
    lane: toAgent ? 'to-agent' : 'from-agent',
    startMs: f.at,
    endMs: f.at,
    marks: [],
    title: f.unsent ? `${title} (unsent)` : title,
    detail: problem === undefined ? detail : `${detail} — refused: ${problem}`,
    anchor: anchors.frame(s, call.index, f.index),
    extraAnchors: [],
    tone: problem !== undefined || (type === undefined && !toAgent) ? 'bad' : f.unsent ? 'muted' : type === 'interrupt' || type === 'error' ? 'warn' : 'normal',
  };
}

function frameRows(s: number, call: CallRecord): TimelineRow[] {
  const frames = call.relay?.frames ?? [];
  const bad = new Map((call.relay?.protocolErrors ?? []).map((e) => [e.frameIndex, e.reason] as const));
  const rows: TimelineRow[] = [];
  let group: RelayFrame[] = [];
  const flush = () => {
    const [first] = group;
    const last = group.at(-1);
    if (first && last) {
      const ended = (last.parsed as Parsed).last === true;
      rows.push({
        lane: 'from-agent',
        startMs: first.at,
        endMs: last.at,
        marks: [],
        title: `text ×${group.length}${ended ? ' (last)' : ''}`,
        detail: group.map((f) => str((f.parsed as Parsed).token)).join(''),
        anchor: anchors.frame(s, call.index, first.index),
        extraAnchors: group.slice(1).map((f) => anchors.frame(s, call.index, f.index)),
        tone: 'normal',
      });
    }
    group = [];
  };
  for (const f of frames) {
    const p = f.parsed as Parsed | undefined;
    const isToken = f.dir === 'in' && typeof p === 'object' && p !== null && p.type === 'text' && typeof p.token === 'string' && !bad.has(f.index);
    if (isToken) {
      group.push(f);
      if (p.last === true) flush();
      continue;
    }
    // An interrupt or a final prompt ends what the agent was saying; later tokens are a new cycle.
    if (f.dir === 'out' && typeof p === 'object' && p !== null && (p.type === 'interrupt' || (p.type === 'prompt' && p.last !== false))) flush();
    rows.push(frameRow(s, call, f, bad));
  }
  flush();
  return rows;
}

function llmRows(s: number, record: RunRecord, call: CallRecord): TimelineRow[] {
  return record.llm.requests
    .filter((r) => call.llmRequestSeqs.includes(r.seq))
    .map((r) => {
      const messages = (r.body as { messages?: unknown } | undefined)?.messages;
      const lastUser = Array.isArray(messages) ? [...messages].reverse().find((m) => (m as Parsed)?.role === 'user') : undefined;
      const reply = r.reply?.text || r.reply?.toolCalls.map((t) => `${t.name}(${t.arguments})`).join(', ') || '';
      const status = r.status === null ? 'no status' : String(r.status);
      return {
        lane: 'llm' as const,
        startMs: r.receivedAtMs,
        endMs: r.endedAtMs ?? r.receivedAtMs,
        marks: r.firstTokenAtMs === null ? [] : [{ atMs: r.firstTokenAtMs, label: `first token +${Math.round(r.firstTokenAtMs - r.receivedAtMs)} ms` }],
        title: `LLM #${r.seq} → ${status} ${r.outcome}`,
        detail: `${lastUser ? `user: ${str((lastUser as Parsed).content)} · ` : ''}${Array.isArray(messages) ? `${messages.length} messages · ` : ''}reply: ${r.error ? r.error.message : reply}`,
        anchor: anchors.llm(s, r.seq),
        extraAnchors: [],
        tone: r.outcome === 'completed' ? ('normal' as const) : ('bad' as const),
      };
    });
}

function exchangeRows(s: number, record: RunRecord, call: CallRecord): TimelineRow[] {
  const toRun = (epochMs: number) => epochMs - (record.timebase.epochMs - record.timebase.nowMs);
  const rows: TimelineRow[] = call.registration.dials.map((d, i) => ({
    lane: 'registration',
    startMs: toRun(d.sentAtMs),
    endMs: toRun(d.sentAtMs) + d.durationMs,
    marks: [],
    title: `register → ${d.status ?? d.outcome}`,
    detail: `${d.url} ${JSON.stringify(d.payload)}${d.error ? ` — ${d.error}` : ''}`,
    anchor: anchors.dial(s, call.index, i),
    extraAnchors: [],
    tone: d.status !== undefined && d.status < 300 ? 'normal' : 'warn',
  }));
  const hook = call.webhook?.exchange;
  if (hook) {
    const status = hook.response?.status ?? hook.error?.kind ?? 'no answer';
    rows.push({ lane: 'webhook', startMs: hook.at, endMs: hook.at + hook.durationMs, marks: [], title: `voice webhook → ${status}`, detail: `${hook.method} ${hook.url}`, anchor: anchors.webhook(s, call.index), extraAnchors: [], tone: hook.response && hook.response.status < 300 ? 'normal' : 'bad' });
  }
  const action = call.relay?.actionCallback;
  if (action && 'exchange' in action) {
    const x = action.exchange;
    rows.push({ lane: 'webhook', startMs: x.at, endMs: x.at + x.durationMs, marks: [], title: `<Connect action> → ${x.response?.status ?? x.error?.kind ?? 'no answer'}`, detail: `${x.method} ${x.url}`, anchor: anchors.action(s, call.index), extraAnchors: [], tone: 'normal' });
  }
  for (const a of record.coval.attempts.filter((x) => x.simulationId === call.simulationOutputId)) {
    rows.push({
      lane: 'export',
      startMs: toRun(a.receivedAtMs),
      endMs: toRun(a.receivedAtMs) + a.delayMs,
      marks: [],
      title: `export #${a.seq} → ${a.status ?? 'reset'} ${a.outcome}`,
      detail: `${a.contentType ?? 'no content-type'}, ${a.bodyBytes} bytes${a.spanCount === undefined ? '' : `, ${a.spanCount} spans`}${a.reason ? ` — ${a.reason}` : ''}`,
      anchor: anchors.attempt(s, a.seq),
      extraAnchors: [],
      tone: a.outcome === 'accepted' ? 'normal' : 'warn',
    });
  }
  return rows;
}

function otherRows(s: number, call: CallRecord): TimelineRow[] {
  const rows: TimelineRow[] = call.steps.map((st) => ({
    lane: 'step',
    startMs: st.startedAtMs,
    endMs: st.endedAtMs,
    marks: [],
    title: `step ${st.index} ${st.kind} ${st.outcome}`,
    detail: st.detail ?? '',
    anchor: anchors.step(s, call.index, st.index),
    extraAnchors: [],
    tone: st.outcome === 'ok' ? 'muted' : st.outcome === 'skipped' ? 'muted' : 'bad',
  }));
  const end = call.relay?.end;
  if (end) {
    const close = end.close ? `, socket closed ${end.close.code} by ${end.close.initiatedBy}` : '';
    rows.push({ lane: 'session', startMs: end.at, endMs: end.at, marks: [], title: `session ${end.status} (${end.cause})`, detail: `${end.durationSeconds} s${close}${end.errorMessage ? ` — ${end.errorCode ?? ''} ${end.errorMessage}` : ''}`, anchor: `${anchors.call(s, call.index)}_end`, extraAnchors: [], tone: end.status === 'failed' ? 'bad' : 'normal' });
  }
  return rows;
}

/** The call's rows in time order (ties keep their natural order) and the time range they cover. */
export function callTimeline(record: RunRecord, s: number, call: CallRecord): { rows: TimelineRow[]; fromMs: number; toMs: number } {
  const rows = [...exchangeRows(s, record, call), ...frameRows(s, call), ...llmRows(s, record, call), ...otherRows(s, call)]
    .map((row, i) => ({ row, i }))
    .sort((a, b) => a.row.startMs - b.row.startMs || a.i - b.i)
    .map(({ row }) => row);
  const times = rows.flatMap((r) => [r.startMs, r.endMs, ...r.marks.map((m) => m.atMs)]).filter(Number.isFinite);
  const fromMs = times.length ? Math.min(...times) : 0;
  const toMs = times.length ? Math.max(...times) : 0;
  return { rows, fromMs, toMs: toMs > fromMs ? toMs : fromMs + 1 };
}
