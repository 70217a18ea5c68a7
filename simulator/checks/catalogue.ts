/**
 * The check catalogue (architecture §7): stable ids, titles, levels and the rule each enforces with
 * its source. Ids are never reused or renamed; a retired check keeps its id with `retired: true`.
 * Evaluators live beside this file (one per family) and are pure functions of a RunRecord.
 */

/** MUST → a failure fails the run; SHOULD → a failure is a warning (an error under `--strict`). */
export type CheckLevel = 'MUST' | 'SHOULD' | 'INFO';

/** The family a check belongs to, from its id prefix. */
export type CheckFamily = 'COR' | 'CR' | 'OTLP' | 'SPAN' | 'SEC' | 'ROB' | 'INFO';

/** One entry of the catalogue. */
export interface CheckDefinition {
  readonly id: string;
  readonly title: string;
  readonly level: CheckLevel;
  /** The document and section the rule comes from. */
  readonly source: string;
}

const check = (id: string, level: CheckLevel, title: string, source: string): CheckDefinition => ({ id, level, title, source });

/** Every check, in report order. */
export const CHECKS: readonly CheckDefinition[] = [
  // Correlation (architecture §5; otlp-coval.md §4.2)
  check('COR-REGISTRATION-ACCEPTED', 'MUST', 'A valid pre-call registration is answered 2xx', 'otlp-coval.md §4.2; architecture §5'),
  check('COR-WRONG-KEY-REFUSED', 'MUST', 'A registration with a wrong or missing x-api-key is refused (401) and not queued', 'seed "/register-simulation endpoint"; architecture §5'),
  check('COR-MISSING-ID-REFUSED', 'MUST', 'A registration without simulation_output_id is refused (400)', 'seed "/register-simulation endpoint"'),
  check('COR-OWN-SIMULATION-ID', 'MUST', "Each call's trace is exported with its own simulation id", 'architecture §5'),
  check('COR-UNREGISTERED-NO-EXPORT', 'MUST', 'A call with no registration exports nothing', 'architecture §5'),
  check('COR-EXPIRED-NOT-USED', 'MUST', 'An expired registration is never used for a call', 'architecture §5 (TTL)'),
  check('COR-DUPLICATE-SINGLE-CLAIM', 'MUST', 'A duplicate registration does not produce two claims', 'architecture §5 (duplicates ignored)'),
  check('COR-NO-ID-REUSE', 'MUST', 'No simulation id is used by two calls', 'architecture §5'),
  // ConversationRelay protocol (conversationrelay.md)
  check('CR-TWIML-VALID', 'MUST', 'The voice webhook answers valid TwiML with <Connect><ConversationRelay url="wss://…">', 'conversationrelay.md §4, §5.1'),
  check('CR-RELAY-REACHABLE', 'MUST', 'The <ConversationRelay url> accepts the signed WebSocket handshake', 'conversationrelay.md §3.1'),
  check('CR-FRAMES-VALID', 'MUST', 'Every frame the agent sends is a valid ConversationRelay message', 'conversationrelay.md §2'),
  check('CR-TOKENS-UNTRIMMED', 'SHOULD', 'Text tokens are streamed as the LLM produced them (no trimming, spaces kept)', 'conversationrelay.md §2.1, §7.5'),
  check('CR-CYCLE-ENDS-LAST', 'MUST', 'Each talk cycle ends with a text frame carrying last:true', 'conversationrelay.md §1.7, §2.1'),
  check('CR-ANSWERS-PROMPT', 'MUST', 'The agent starts answering a final prompt within the bound', 'conversationrelay.md §0 step 5'),
  check('CR-INTERRUPT-STOPS', 'MUST', 'No tokens of an interrupted cycle arrive after the interrupt (beyond a grace bound)', 'conversationrelay.md §7.10'),
  check('CR-INTERRUPT-HISTORY', 'MUST', "The next LLM request's history holds the assistant text truncated to utteranceUntilInterrupt", 'conversationrelay.md §1.4, §7.10'),
  check('CR-PARTIAL-NO-TURN', 'MUST', 'Partial prompts (last:false) do not start an LLM turn', 'conversationrelay.md §1.2, §7.11'),
  check('CR-DTMF-HANDLED', 'SHOULD', 'A key press reaches the LLM as a user turn', 'conversationrelay.md §1.3'),
  check('CR-END-HANDOFF-STRING', 'MUST', 'end carries handoffData as a string and nothing follows it', 'conversationrelay.md §2.5, §7.6'),
  check('CR-NO-SPEECH-BEFORE-CALLER', 'SHOULD', 'The agent does not speak before the caller when the scenario says it must not', 'conversationrelay.md §0 step 4'),
  // OTLP payload (otlp-coval.md §1, §2, §5.1)
  check('OTLP-DECODES', 'MUST', 'Every export decodes as OTLP (JSON or protobuf) and is accepted', 'otlp-coval.md §1, §2'),
  check('OTLP-HEADERS', 'MUST', 'Exports carry x-api-key and exactly one of X-Simulation-Id / X-Conversation-Id', 'otlp-coval.md §4.1'),
  check('OTLP-IDS', 'MUST', 'Trace and span ids are lowercase-insensitive hex of the right length, non-zero, unique', 'otlp-coval.md §2 rule 2, §5.1 #5'),
  check('OTLP-TIMES', 'MUST', 'Span times are nanosecond integers with 0 < start <= end', 'otlp-coval.md §2 rule 4, §5.1 #8'),
  check('OTLP-ATTRIBUTE-TYPES', 'MUST', 'Attributes are typed AnyValues with unique keys; enums are integers', 'otlp-coval.md §2 rules 3, 9; §5.1 #15'),
  check('OTLP-ONE-TRACE', 'SHOULD', "All of a call's spans share one trace id", 'otlp-coval.md §5.1 #6'),
  check('OTLP-PARENTS-RESOLVE', 'MUST', 'Every parentSpanId names a span of the same trace', 'otlp-coval.md §5.1 #7'),
  check('OTLP-NO-DUPLICATE-BATCH', 'MUST', 'No span is sent twice after Coval accepted it (Coval does not deduplicate)', 'otlp-coval.md §4.1, §5.1 #4'),
  check('OTLP-RETRY-ONLY-RETRYABLE', 'MUST', 'Exports are retried only after 429, 502, 503, 504 or a network error', 'otlp-coval.md §1.2'),
  check('OTLP-RETRY-AFTER', 'SHOULD', 'A retry waits at least the Retry-After the server sent', 'otlp-coval.md §1.2'),
  check('OTLP-RETRIES-RETRYABLE', 'SHOULD', 'A retryable failure (503, 429, reset) is retried', 'otlp-coval.md §1.2, §6'),
  // Span schema (architecture §6; otlp-coval.md §5)
  check('SPAN-ROOT', 'MUST', 'One conversation root span with call.duration_seconds close to the observed call', 'architecture §6; otlp-coval.md §5'),
  check('SPAN-STT-PER-PROMPT', 'MUST', 'One stt span per final prompt, with stt.transcription equal to the prompt text', 'architecture §6; seed "Span schema"'),
  check('SPAN-STT-PROVIDER', 'SHOULD', 'Each stt span has an stt.provider.twilio child', 'seed "Span schema"'),
  check('SPAN-LLM-PER-TURN', 'MUST', 'One llm span per LLM completion the agent streamed', 'architecture §6'),
  check('SPAN-LLM-TTFB-REAL', 'MUST', 'llm metrics.ttfb is measured: at least the fake LLM first-token delay, at most the observed prompt→first-frame time', 'architecture §6; seed "Trace limitations"'),
  check('SPAN-LLM-FINISH-REASON', 'SHOULD', 'llm.finish_reason equals what the LLM returned', 'architecture §6'),
  check('SPAN-SYNTHETIC-CONSTANTS', 'MUST', 'Synthetic values are the documented constants: stt.confidence 0.95, tts metrics.ttfb 0.1', 'seed "Trace limitations"'),
  check('SPAN-TOOL-PAIRS', 'MUST', 'tool_call / tool_call_result spans match the tool calls the LLM made; failed tools have ERROR status', 'seed "Span schema"'),
  check('SPAN-CHILDREN-IN-ROOT', 'SHOULD', 'Child spans lie within the root span', 'otlp-coval.md §5.1 #9'),
  // Security (architecture §10)
  check('SEC-WEBHOOK-SIGNATURE', 'MUST', 'An unsigned or wrongly signed voice webhook is refused when the agent has a Twilio token', 'conversationrelay.md §5.3; architecture §10'),
  check('SEC-HANDSHAKE-SIGNATURE', 'MUST', 'An unsigned or wrongly signed WebSocket handshake is refused when the agent has a Twilio token', 'conversationrelay.md §3.2; architecture §10'),
  check('SEC-REGISTRATION-KEY', 'MUST', 'Registration without the API key is refused', 'seed "Coval agent configuration"; architecture §10'),
  // Robustness (architecture §10)
  check('ROB-SURVIVES-BAD-FRAMES', 'MUST', 'Non-JSON, unknown-type, oversized frames and a prompt before setup leave the call working', 'architecture §10'),
  check('ROB-LLM-ERROR-SPOKEN', 'MUST', 'An LLM failure produces a spoken apology and an ERROR llm span, not silence', 'architecture §10'),
  check('ROB-COVAL-OUTAGE', 'MUST', 'A Coval outage does not break the call, and the trace is delivered once Coval recovers', 'architecture §10'),
  check('ROB-NEXT-CALL-WORKS', 'MUST', 'After the scenario, the agent is up and a fresh call works', 'architecture §10'),
  // Informational (otlp-coval.md §4.4)
  check('INFO-COVAL-METRICS', 'INFO', "Which of Coval's built-in trace metrics the captured spans can feed", 'otlp-coval.md §4.4'),
];

/** The catalogue by id. */
export const CHECKS_BY_ID: ReadonlyMap<string, CheckDefinition> = new Map(CHECKS.map((c) => [c.id, c]));

/** The family of a check id, from its prefix. */
export function checkFamily(id: string): CheckFamily {
  return id.slice(0, id.indexOf('-')) as CheckFamily;
}
