/**
 * The tolerances the check evaluators use, in one place (docs/checks.md lists them). Timing checks
 * compare times taken on different clocks (the fakes' and the agent's) and across real sockets, so
 * each bound has a margin; the values are small enough that a real bug still shows.
 */
export const CHECK_TOLERANCES = Object.freeze({
  /** CR-ANSWERS-PROMPT: time allowed from a final prompt to the agent's first frame, on top of the time spent waiting for the fake LLM. */
  answerBoundMs: 5000,
  /** CR-INTERRUPT-STOPS: tokens already in flight when the interrupt was sent may still arrive this long after it; CR-CYCLE-ENDS-LAST: a cycle counts as in progress this long after its last token. */
  interruptGraceMs: 250,
  /** SPAN-ROOT: call.duration_seconds may differ from the observed setup → close time by the larger of this … */
  rootDurationMinSeconds: 1,
  /** … and this fraction of the observed duration. */
  rootDurationRatio: 0.1,
  /** SPAN-LLM-TTFB-REAL: margin on both bounds of metrics.ttfb (seconds). */
  ttfbSeconds: 0.05,
  /** SPAN-LLM-TTFB-REAL: injected delays that differ by more than this (seconds) should give different ttfb values. */
  ttfbDistinctSeconds: 0.02,
  /** SPAN-CHILDREN-IN-ROOT: a child may poke out of the root by this much (the validator's default). */
  childInRootMs: 50,
  /** OTLP-RETRY-AFTER: a retry may come this much earlier than Retry-After says (clock granularity). */
  retryAfterMs: 100,
  /** COR-EXPIRED-NOT-USED: a registration counts as expired only when the call arrived this long after its TTL ran out. */
  expiryMarginMs: 250,
  /** ROB-LLM-ERROR-SPOKEN: the apology and the cycle's last:true must arrive within this long of the LLM failure. */
  apologyBoundMs: 5000,
});

/** The registry TTL the reference agent uses when SIMULATION_TTL_SECONDS is not set (architecture §5). */
export const DEFAULT_REGISTRATION_TTL_SECONDS = 300;

/** HTTP statuses after which OTLP says an export may be retried (otlp-coval.md §1.2). */
export const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([429, 502, 503, 504]);

/** The documented synthetic constants (seed "Trace limitations"). */
export const SYNTHETIC_CONSTANTS = Object.freeze({ sttConfidence: 0.95, ttsTtfbSeconds: 0.1 });
