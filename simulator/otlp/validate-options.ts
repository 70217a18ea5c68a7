/** Tunables of the validator; every field has a documented default. */
export interface OtlpValidateOptions {
  /** Slack for window checks (children inside the root, provider inside stt, llm ttfb); default 50 ms. */
  readonly toleranceMs?: number;
  /** metrics.ttfb above this many seconds is reported as "probably milliseconds"; default 30. */
  readonly ttfbMaxSeconds?: number;
  /** Longest string attribute value before SPAN-ATTR-SIZE; default 4096 characters. */
  readonly maxStringLength?: number;
  /** Largest bytes attribute (or audio-named string) before SPAN-ATTR-RAW-AUDIO; default 1024 bytes. */
  readonly maxBytesLength?: number;
}

/** {@link OtlpValidateOptions} with every default applied. */
export interface ResolvedValidateOptions {
  readonly toleranceNs: bigint;
  readonly toleranceSeconds: number;
  readonly ttfbMaxSeconds: number;
  readonly maxStringLength: number;
  readonly maxBytesLength: number;
}

/** Applies the defaults. */
export function resolveValidateOptions(options: OtlpValidateOptions = {}): ResolvedValidateOptions {
  const toleranceMs = options.toleranceMs ?? 50;
  return {
    toleranceNs: BigInt(Math.round(toleranceMs * 1_000_000)),
    toleranceSeconds: toleranceMs / 1000,
    ttfbMaxSeconds: options.ttfbMaxSeconds ?? 30,
    maxStringLength: options.maxStringLength ?? 4096,
    maxBytesLength: options.maxBytesLength ?? 1024,
  };
}
