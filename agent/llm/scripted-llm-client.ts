import { sleep, type Clock } from '../platform/clock.ts';
import type { ChatMessage, LlmClient, LlmDelta, LlmRequest, ToolDefinition } from './llm-client.ts';

/** One step of a scripted completion. */
export type ScriptStep =
  | LlmDelta
  /** Pause until `until` settles (a test barrier); an abort ends the pause with an error. */
  | { readonly type: 'wait'; readonly until: Promise<unknown> }
  /** Pause for `ms` of the injected clock. */
  | { readonly type: 'sleep'; readonly ms: number }
  /** Fail the stream here, as a broken connection or HTTP error would. */
  | { readonly type: 'throw'; readonly error: unknown };

/** A scripted completion: fixed steps, or a function of the request. */
export type ScriptedResponse = readonly ScriptStep[] | ((request: LlmRequest) => readonly ScriptStep[]);

/** What one `streamChat` call was given (copied, so later history edits do not show up here). */
export interface RecordedLlmRequest {
  readonly messages: readonly ChatMessage[];
  readonly tools: readonly ToolDefinition[];
  readonly signal: AbortSignal;
}

/** A scripted {@link LlmClient} with the requests it received. */
export interface ScriptedLlmClient extends LlmClient {
  readonly requests: readonly RecordedLlmRequest[];
  /** Responses not yet consumed. */
  readonly remaining: number;
}

function abortError(signal: AbortSignal): Error {
  const error = new Error(`scripted stream aborted: ${String(signal.reason)}`);
  error.name = 'AbortError';
  return error;
}

function untilOrAbort(promise: Promise<unknown>, signal: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal.aborted) {
      reject(abortError(signal));
      return;
    }
    const onAbort = (): void => reject(abortError(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      () => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err);
      },
    );
  });
}

/** Text split into `content` deltas, one per piece, followed by `finish: stop`. */
export function spoken(...pieces: string[]): LlmDelta[] {
  return [...pieces.map((text): LlmDelta => ({ type: 'content', text })), { type: 'finish', reason: 'stop' }];
}

/** A completion that asks for one tool call, streamed in two argument fragments. */
export function callsTool(id: string, name: string, args: string, index = 0): LlmDelta[] {
  const cut = Math.floor(args.length / 2);
  return [
    { type: 'tool-call', index, id, name, arguments: args.slice(0, cut) },
    { type: 'tool-call', index, arguments: args.slice(cut) },
    { type: 'finish', reason: 'tool_calls' },
  ];
}

/**
 * An {@link LlmClient} that plays back `responses` in order, one per `streamChat` call, for
 * tests and offline demos. Running out of responses fails the stream (visible as an LLM error).
 */
export function createScriptedLlmClient(responses: readonly ScriptedResponse[], options: { clock?: Clock } = {}): ScriptedLlmClient {
  const queue = [...responses];
  const requests: RecordedLlmRequest[] = [];
  return {
    get requests() {
      return requests;
    },
    get remaining() {
      return queue.length;
    },
    async *streamChat(request: LlmRequest): AsyncIterable<LlmDelta> {
      requests.push({ messages: [...request.messages], tools: [...request.tools], signal: request.signal });
      const next = queue.shift();
      if (next === undefined) throw new Error(`scripted LLM has no response left for request ${requests.length}`);
      const steps = typeof next === 'function' ? next(request) : next;
      for (const step of steps) {
        if (request.signal.aborted) throw abortError(request.signal);
        switch (step.type) {
          case 'wait':
            await untilOrAbort(step.until, request.signal);
            break;
          case 'sleep':
            if (!options.clock) throw new Error('scripted LLM needs a clock for sleep steps');
            await sleep(options.clock, step.ms, request.signal);
            break;
          case 'throw':
            throw step.error;
          default:
            // Yield on a fresh microtask so a session sees deltas arrive one at a time.
            await Promise.resolve();
            yield step;
        }
      }
    },
  };
}
