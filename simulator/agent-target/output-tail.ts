/** Keeps the last `maxChars` characters of a stream of text (a process's stdout or stderr). */
export class OutputTail {
  readonly #max: number;
  #text = '';

  constructor(maxChars = 8_192) {
    this.#max = maxChars;
  }

  /** Appends a chunk, dropping the oldest text beyond the limit. */
  push(chunk: string | Uint8Array): void {
    this.#text += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    if (this.#text.length > this.#max) this.#text = this.#text.slice(this.#text.length - this.#max);
  }

  /** The text kept so far. */
  toString(): string {
    return this.#text;
  }
}
