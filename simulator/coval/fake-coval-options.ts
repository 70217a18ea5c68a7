import { type Clock, systemClock } from '../core/clock.ts';
import { SimErrors } from '../core/errors.ts';
import type { OtlpValidateOptions } from '../otlp/validate-options.ts';

/** How the fake answers: Coval's own bodies (default) or plain OTLP/HTTP ones. */
export type CovalResponseMode = 'coval' | 'otlp';

/** Options for {@link buildFakeCoval}; every field is optional. */
export interface FakeCovalOptions {
  /** Time for delays, timeouts and timestamps (default: the system clock). Tests pass a ManualClock. */
  readonly clock?: Clock;
  /** The API key agents must send as `x-api-key` (default `relaysim-coval-key`). */
  readonly apiKey?: string;
  /** Also accept `Authorization: Basic base64(apiKey)` (seen in one coval-ai/cli version; default true). */
  readonly allowBasicAuth?: boolean;
  /** Accept ids the dialer never issued instead of answering 404 (default false). */
  readonly acceptUnknownIds?: boolean;
  /** `coval`: `{"status":"ok",…}` and Coval's error envelope; `otlp`: `{}`/empty protobuf and google.rpc.Status. */
  readonly responseMode?: CovalResponseMode;
  /** Largest body accepted, compressed and after decompression (default 4 MiB; Coval advises < 3–4 MB). */
  readonly maxBodyBytes?: number;
  /** Validator tunables used for findings. */
  readonly validate?: OtlpValidateOptions;
  /** Default `fetch` for {@link FakeCoval.dial} (no default: the network is always injected). */
  readonly fetch?: typeof fetch;
  /** Pre-call webhook timeout on the clock (default 10 000 ms). */
  readonly dialTimeoutMs?: number;
}

/** Options with every default applied. */
export interface ResolvedFakeCovalOptions {
  readonly clock: Clock;
  readonly apiKey: string;
  readonly allowBasicAuth: boolean;
  readonly acceptUnknownIds: boolean;
  readonly responseMode: CovalResponseMode;
  readonly maxBodyBytes: number;
  readonly validate: OtlpValidateOptions;
  readonly fetch: typeof fetch | undefined;
  readonly dialTimeoutMs: number;
}

/** Default API key of the fake. */
export const DEFAULT_COVAL_API_KEY = 'relaysim-coval-key';

/** Default body limit: 4 MiB. */
export const DEFAULT_MAX_BODY_BYTES = 4 * 1024 * 1024;

function fail(what: string): never {
  throw new SimErrors.SIM_ERR_COVAL_OPTIONS_INVALID(what);
}

/** Validates options once at the edge and fills in defaults. */
export function resolveFakeCovalOptions(options: FakeCovalOptions = {}): ResolvedFakeCovalOptions {
  const apiKey = options.apiKey ?? DEFAULT_COVAL_API_KEY;
  if (typeof apiKey !== 'string' || apiKey === '') fail(`apiKey must be a non-empty string (actual: ${JSON.stringify(apiKey)})`);
  const mode = options.responseMode ?? 'coval';
  if (mode !== 'coval' && mode !== 'otlp') fail(`responseMode must be 'coval' or 'otlp' (actual: ${JSON.stringify(mode)})`);
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  if (!Number.isInteger(maxBodyBytes) || maxBodyBytes < 1) fail(`maxBodyBytes must be a positive integer (actual: ${String(maxBodyBytes)})`);
  const dialTimeoutMs = options.dialTimeoutMs ?? 10_000;
  if (!Number.isFinite(dialTimeoutMs) || dialTimeoutMs <= 0) fail(`dialTimeoutMs must be a positive number (actual: ${String(dialTimeoutMs)})`);
  return {
    clock: options.clock ?? systemClock,
    apiKey,
    allowBasicAuth: options.allowBasicAuth ?? true,
    acceptUnknownIds: options.acceptUnknownIds ?? false,
    responseMode: mode,
    maxBodyBytes,
    validate: options.validate ?? {},
    fetch: options.fetch,
    dialTimeoutMs,
  };
}
