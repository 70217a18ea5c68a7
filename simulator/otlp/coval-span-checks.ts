import type { OtlpAnyValue, OtlpKeyValue, OtlpSpan } from './model.ts';
import { finding, type Finding, type FindingLocation } from './rules.ts';
import { attr, describeValue, durationSeconds, numeric, text } from './span-attributes.ts';
import type { ResolvedValidateOptions } from './validate-options.ts';

const FINISH_REASONS: ReadonlySet<string> = new Set(['stop', 'tool_calls', 'length', 'content_filter']);
const TOOL_SPANS: ReadonlySet<string> = new Set(['llm_tool_call', 'tool_call', 'tool_call_result']);
const USAGE_PREFIX = 'gen_ai.usage.';
const SECRET_KEY_PARTS = ['api_key', 'apikey', 'api-key', 'authorization', 'password', 'passwd', 'secret', 'private_key', 'access_token', 'auth_token', 'bearer'];

function at(loc: FindingLocation, attribute: string): FindingLocation {
  return { ...loc, attribute };
}

function checkTtfb(span: OtlpSpan, loc: FindingLocation, o: ResolvedValidateOptions, out: Finding[]): void {
  const v = attr(span, 'metrics.ttfb');
  if (v === undefined) return;
  const n = numeric(v);
  if (n === undefined) {
    out.push(finding('SPAN-TTFB-VALUE', `${span.name} metrics.ttfb is ${describeValue(v)}; it must be an int or double number of seconds`, at(loc, 'metrics.ttfb')));
    return;
  }
  if (!Number.isFinite(n) || n < 0) {
    out.push(finding('SPAN-TTFB-VALUE', `${span.name} metrics.ttfb is ${n}; it must be finite and >= 0`, at(loc, 'metrics.ttfb')));
    return;
  }
  if (n > o.ttfbMaxSeconds) {
    out.push(finding('SPAN-TTFB-UNITS', `${span.name} metrics.ttfb is ${n}, above ${o.ttfbMaxSeconds}: Coval reads seconds, this looks like milliseconds`, at(loc, 'metrics.ttfb')));
  }
  if (span.name === 'llm') {
    const d = durationSeconds(span);
    if (n > d + o.toleranceSeconds) {
      out.push(finding('SPAN-LLM-TTFB-DURATION', `llm metrics.ttfb ${n} s exceeds the span's duration ${d.toFixed(4)} s`, at(loc, 'metrics.ttfb')));
    }
  }
}

function checkCoval(span: OtlpSpan, loc: FindingLocation, o: ResolvedValidateOptions, out: Finding[]): void {
  const name = span.name;
  if (name === 'conversation' && numeric(attr(span, 'call.duration_seconds')) === undefined) {
    out.push(finding('SPAN-CONVERSATION-DURATION', 'conversation span has no numeric call.duration_seconds', at(loc, 'call.duration_seconds')));
  }
  checkTtfb(span, loc, o, out);
  const conf = attr(span, 'stt.confidence');
  if (conf !== undefined) {
    const n = numeric(conf);
    if (n === undefined || !(n >= 0 && n <= 1)) {
      out.push(finding('SPAN-STT-CONFIDENCE', `${name} stt.confidence is ${describeValue(conf)}; it must be a number in [0, 1]`, at(loc, 'stt.confidence')));
    }
  }
  if (name === 'stt' && !text(attr(span, 'transcript')) && !text(attr(span, 'stt.transcription'))) {
    out.push(finding('SPAN-STT-TRANSCRIPT', 'stt span has no non-empty transcript (or stt.transcription) string; Coval needs it for STT WER', at(loc, 'transcript')));
  }
  const finish = attr(span, 'llm.finish_reason');
  if (finish !== undefined && !(finish.type === 'string' && FINISH_REASONS.has(finish.value))) {
    out.push(finding('SPAN-LLM-FINISH-REASON', `${name} llm.finish_reason is ${describeValue(finish)}; expected stop, tool_calls, length or content_filter`, at(loc, 'llm.finish_reason')));
  }
  for (const kv of span.attributes) {
    if (!kv.key.startsWith(USAGE_PREFIX)) continue;
    const n = numeric(kv.value);
    if (n === undefined || !Number.isInteger(n) || n < 0) {
      out.push(finding('SPAN-LLM-USAGE', `${name} ${kv.key} is ${describeValue(kv.value)}; token counts are non-negative integers`, at(loc, kv.key)));
    }
  }
  if (TOOL_SPANS.has(name) && !text(attr(span, 'function.name')) && !text(attr(span, 'tool.name'))) {
    out.push(finding('SPAN-TOOL-NAME', `${name} span has no non-empty function.name (or tool.name); Coval's Tool Call Count needs it`, at(loc, 'function.name')));
  }
}

function hygieneValue(key: string, v: OtlpAnyValue, loc: FindingLocation, o: ResolvedValidateOptions, out: Finding[], audioKey: boolean): void {
  switch (v.type) {
    case 'string': {
      const s = v.value;
      if (audioKey && s.length > o.maxBytesLength) {
        out.push(finding('SPAN-ATTR-RAW-AUDIO', `attribute ${key} holds a ${s.length}-character string under an audio key; do not ship raw audio in spans`, at(loc, key)));
      } else if (s.length > o.maxStringLength) {
        out.push(finding('SPAN-ATTR-SIZE', `attribute ${key} is ${s.length} characters, above the ${o.maxStringLength} bound`, at(loc, key)));
      }
      if ((s.startsWith('sk-') && s.length >= 20) || s.startsWith('Bearer ') || s.startsWith('Basic ')) {
        out.push(finding('SPAN-ATTR-SECRET', `attribute ${key} looks like a credential (${s.slice(0, 3)}…)`, at(loc, key)));
      }
      return;
    }
    case 'bytes': {
      const bytes = Math.floor((v.value.length * 3) / 4);
      if (bytes > o.maxBytesLength || (audioKey && bytes > 0)) {
        out.push(finding('SPAN-ATTR-RAW-AUDIO', `attribute ${key} carries ${bytes} raw bytes; do not ship raw audio in spans`, at(loc, key)));
      }
      return;
    }
    case 'array':
      for (const x of v.values) hygieneValue(key, x, loc, o, out, audioKey);
      return;
    case 'kvlist':
      hygieneList(v.values, loc, o, out, `${key}.`);
      return;
    default:
      return;
  }
}

/** Secrets, raw audio and oversize strings in an attribute list (otlp-coval §5.1.16). */
export function hygieneList(list: readonly OtlpKeyValue[], loc: FindingLocation, o: ResolvedValidateOptions, out: Finding[], prefix = ''): void {
  for (const kv of list) {
    const key = prefix + kv.key;
    const lower = key.toLowerCase();
    if (SECRET_KEY_PARTS.some((p) => lower.includes(p)) && !(kv.value.type === 'empty' || (kv.value.type === 'string' && kv.value.value === ''))) {
      out.push(finding('SPAN-ATTR-SECRET', `attribute ${key} looks like it holds a credential; never export secrets in traces`, at(loc, key)));
    }
    hygieneValue(key, kv.value, loc, o, out, lower.includes('audio'));
  }
}

/** The Coval span-schema checks that need only one span (otlp-coval §5, §5.1 10–13, 16). */
export function checkCovalSpan(span: OtlpSpan, loc: FindingLocation, o: ResolvedValidateOptions, out: Finding[]): void {
  checkCoval(span, loc, o, out);
  hygieneList(span.attributes, loc, o, out);
}
