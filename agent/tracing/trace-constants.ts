/**
 * The documented constants of the agent's Coval span schema (docs/agent-tracing.md). Twilio
 * ConversationRelay hides STT and TTS, so these values are synthetic; every span that carries one
 * names it in {@link SYNTHETIC_ATTRIBUTES_KEY}.
 */

/** `stt.confidence` on `stt` and `stt.provider.twilio`: ConversationRelay exposes no ASR confidence. */
export const SYNTHETIC_STT_CONFIDENCE = 0.95;

/** `metrics.ttfb` (seconds) on `stt` and `stt.provider.twilio`: a fixed constant (decision 0102). */
export const SYNTHETIC_STT_TTFB_SECONDS = 0.2;

/** `metrics.ttfb` (seconds) on `tts`: Twilio synthesises audio out of the agent's sight. */
export const SYNTHETIC_TTS_TTFB_SECONDS = 0.1;

/**
 * Attribute listing, comma-separated and in a fixed order, the keys of the span whose values are
 * synthetic constants rather than measurements (e.g. `metrics.ttfb,stt.confidence`).
 */
export const SYNTHETIC_ATTRIBUTES_KEY = 'synthetic.attributes';

/** `tool.result` is cut to this many characters (Unicode code points), like Coval's example. */
export const TOOL_RESULT_MAX_CHARS = 500;

/** The STT provider named by `stt.provider.twilio`. */
export const STT_PROVIDER_NAME = 'twilio';
