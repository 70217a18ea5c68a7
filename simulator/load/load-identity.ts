import type { OtlpRequest } from '../otlp/model.ts';

/**
 * What makes each load call recognisable: its prompts carry the call number, so a trace batch or
 * an LLM request can be traced back to the call that caused it without any shared state.
 */

const PROMPT = /^Caller (\d+) question (\d+):/;

/** The `k`-th (1-based) prompt of call `index`. */
export function promptText(index: number, k: number): string {
  return `Caller ${index} question ${k}: what are your opening hours on day ${k}?`;
}

/** The call number a prompt belongs to; undefined for text that is not a load prompt. */
export function callOfPrompt(text: string): number | undefined {
  const m = PROMPT.exec(text);
  return m ? Number(m[1]) : undefined;
}

/** A UUID-shaped simulation id unique per seed and call. */
export function simulationIdOf(seed: number, index: number): string {
  const s = (seed >>> 0).toString(16).padStart(8, '0');
  return `${s}-10ad-4000-8000-${index.toString(16).padStart(12, '0')}`;
}

/** The call number of a simulation id made by {@link simulationIdOf} with `seed`; undefined for any other id. */
export function callOfSimulationId(seed: number, id: string): number | undefined {
  const s = (seed >>> 0).toString(16).padStart(8, '0');
  const m = /^([0-9a-f]{8})-10ad-4000-8000-([0-9a-f]{12})$/.exec(id);
  return m && m[1] === s ? parseInt(m[2] as string, 16) : undefined;
}

/** A caller number unique per call (US fictional 555 range), so caller-id correlation is unambiguous. */
export function callerNumberOf(index: number): string {
  return `+1555${String(2_000_000 + (index % 8_000_000)).padStart(7, '0')}`;
}

/** Every `stt.transcription` (or Coval's `transcript` alias) string in a batch. */
export function transcriptionsOf(request: OtlpRequest): string[] {
  const out: string[] = [];
  for (const rs of request.resourceSpans) {
    for (const ss of rs.scopeSpans) {
      for (const span of ss.spans) {
        for (const a of span.attributes) {
          if ((a.key === 'stt.transcription' || a.key === 'transcript') && a.value.type === 'string') out.push(a.value.value);
        }
      }
    }
  }
  return out;
}

/** How a batch received for call `index` relates to it. */
export type TraceIdentity = 'correlated' | 'mis-correlated' | 'unidentified';

/** Judges a batch by the load prompts in its transcriptions: another call's prompt is a mis-correlation. */
export function traceIdentity(index: number, transcriptions: readonly string[]): TraceIdentity {
  let own = false;
  for (const t of transcriptions) {
    const call = callOfPrompt(t);
    if (call === undefined) continue;
    if (call !== index) return 'mis-correlated';
    own = true;
  }
  return own ? 'correlated' : 'unidentified';
}

/** The latest user message of an OpenAI chat or Responses request body, if it is plain text. */
export function latestUserText(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const list = (body as { messages?: unknown; input?: unknown }).messages ?? (body as { input?: unknown }).input;
  if (typeof list === 'string') return list;
  if (!Array.isArray(list)) return undefined;
  for (let i = list.length - 1; i >= 0; i--) {
    const m = list[i] as { role?: unknown; content?: unknown } | null;
    if (m?.role !== 'user') continue;
    if (typeof m.content === 'string') return m.content;
    if (Array.isArray(m.content)) {
      const part = m.content.find((p: unknown) => typeof (p as { text?: unknown })?.text === 'string') as { text: string } | undefined;
      return part?.text;
    }
    return undefined;
  }
  return undefined;
}
