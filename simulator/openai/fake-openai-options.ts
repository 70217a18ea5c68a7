import { type Clock, systemClock } from '../core/clock.ts';
import { SimErrors } from '../core/errors.ts';
import { createSeededRandom, type Random } from '../core/random.ts';
import { LlmHistory, type LlmChunkRecord, type LlmRequestRecord } from './history.ts';
import type { ReplyDefaults } from './reply-plan.ts';
import { type LlmChunking, type LlmScript, parseLlmScript } from './script.ts';

/** Options for {@link createFakeOpenAi} and `buildFakeOpenAi`; every field is optional. */
export interface FakeOpenAiOptions {
  /** Time for delays and timestamps (default: the system clock). Tests pass a ManualClock. */
  readonly clock?: Clock;
  /** Randomness for ids and unscripted replies; wins over `seed`. */
  readonly random?: Random;
  /** Seed for a fresh seeded Random when `random` is not given (default 0). */
  readonly seed?: number;
  /** Scripted rules (validated against `llmScriptSchema`); default none: everything is unscripted. */
  readonly script?: unknown;
  /** Accepted API keys; default any non-empty bearer token. */
  readonly apiKeys?: readonly string[];
  /** Chunking and delays for replies that do not set them (default token chunks, no delays). */
  readonly defaults?: Partial<ReplyDefaults>;
  /** Model ids listed by `GET /v1/models` (any model is accepted on requests). */
  readonly models?: readonly string[];
  /** Record every written chunk (default true); turn off for load runs that only need timings. */
  readonly recordChunks?: boolean;
  /** Called right after each event is written (load runs time the agent by it); must not throw. */
  readonly onChunkWritten?: (record: LlmRequestRecord, chunk: LlmChunkRecord) => void;
  /** Where to record requests (default a fresh {@link LlmHistory}). */
  readonly history?: LlmHistory;
}

/** Options with every default applied. */
export interface ResolvedFakeOpenAiOptions {
  readonly clock: Clock;
  readonly random: Random;
  readonly script: LlmScript;
  readonly apiKeys: readonly string[] | undefined;
  readonly defaults: ReplyDefaults;
  readonly models: readonly string[];
  readonly recordChunks: boolean;
  readonly onChunkWritten: ((record: LlmRequestRecord, chunk: LlmChunkRecord) => void) | undefined;
  readonly history: LlmHistory;
}

function fail(what: string): never {
  throw new SimErrors.SIM_ERR_OPENAI_OPTIONS_INVALID(what);
}

function checkDelay(name: string, value: number | undefined): number {
  if (value === undefined) return 0;
  if (!Number.isFinite(value) || value < 0) fail(`defaults.${name} must be a finite number >= 0 (actual: ${String(value)})`);
  return value;
}

function checkChunking(value: LlmChunking | undefined): LlmChunking {
  if (value === undefined) return 'token';
  if (value === 'token' || value === 'word') return value;
  if (typeof value === 'object' && Number.isInteger(value.size) && value.size >= 1) return value;
  return fail(`defaults.chunk must be 'token', 'word' or {size: N >= 1} (actual: ${JSON.stringify(value)})`);
}

/** Validates options once at the edge and fills in defaults. */
export function resolveFakeOpenAiOptions(options: FakeOpenAiOptions): ResolvedFakeOpenAiOptions {
  if (options.seed !== undefined && !Number.isInteger(options.seed)) fail(`seed must be an integer (actual: ${String(options.seed)})`);
  if (options.apiKeys !== undefined && (options.apiKeys.length === 0 || options.apiKeys.some((k) => typeof k !== 'string' || k === ''))) {
    fail('apiKeys must be a non-empty list of non-empty strings (omit it to accept any key)');
  }
  const models = options.models ?? ['gpt-4o-mini', 'gpt-4o', 'gpt-4.1-mini'];
  if (models.length === 0) fail('models must list at least one model id');
  return Object.freeze({
    clock: options.clock ?? systemClock,
    random: options.random ?? createSeededRandom(options.seed ?? 0),
    script: options.script === undefined ? [] : parseLlmScript(options.script),
    apiKeys: options.apiKeys,
    defaults: Object.freeze({
      chunk: checkChunking(options.defaults?.chunk),
      firstTokenMs: checkDelay('firstTokenMs', options.defaults?.firstTokenMs),
      interTokenMs: checkDelay('interTokenMs', options.defaults?.interTokenMs),
    }),
    models,
    recordChunks: options.recordChunks ?? true,
    onChunkWritten: options.onChunkWritten,
    history: options.history ?? new LlmHistory(),
  });
}
