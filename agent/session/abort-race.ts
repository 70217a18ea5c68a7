/**
 * Racing pending work against an abort signal, so a session never waits on an LLM client or a
 * tool that ignores its signal (decision 0126).
 */

/** What a race resolves with when the signal aborted first. */
export const ABORTED: unique symbol = Symbol('aborted');

/** Resolves with `promise`, or with {@link ABORTED} as soon as `signal` aborts (the listener is removed either way). */
export function orAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T | typeof ABORTED> {
  if (signal.aborted) {
    promise.catch(() => undefined);
    return Promise.resolve(ABORTED);
  }
  return new Promise((resolve, reject) => {
    const onAbort = (): void => resolve(ABORTED);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err);
      },
    );
  });
}

/**
 * Pulls an async iterator one step at a time, each step racing the signal like {@link orAbort}.
 * A streamed reply takes one step per token, so the signal gets one listener for the whole
 * stream instead of one added and removed per step. Call {@link AbortableSteps.dispose} when done.
 */
export class AbortableSteps {
  readonly #signal: AbortSignal;
  #wake: ((value: typeof ABORTED) => void) | undefined;
  readonly #onAbort = (): void => {
    this.#wake?.(ABORTED);
  };

  constructor(signal: AbortSignal) {
    this.#signal = signal;
    if (!signal.aborted) signal.addEventListener('abort', this.#onAbort, { once: true });
  }

  /** The iterator's next step, or {@link ABORTED} once the signal has aborted (then `next()` is not called). */
  next<T>(iterator: AsyncIterator<T>): Promise<IteratorResult<T> | typeof ABORTED> {
    if (this.#signal.aborted) return Promise.resolve(ABORTED);
    return new Promise((resolve, reject) => {
      this.#wake = resolve;
      iterator.next().then(resolve, reject);
    });
  }

  /** Removes the signal listener; a step still pending settles only with the iterator. */
  dispose(): void {
    this.#signal.removeEventListener('abort', this.#onAbort);
    this.#wake = undefined;
  }
}
