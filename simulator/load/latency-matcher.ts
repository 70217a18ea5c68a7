/**
 * Pairs what the fake LLM wrote with what the fake Twilio received on one call: each non-empty
 * content chunk written should come back as one `text` frame with the same token, in the same
 * order. The difference of the two times is the agent-added latency (plus loopback and the kit's
 * own scheduling, which the floor agent measures).
 */
export class LatencyMatcher {
  readonly #pending: { readonly content: string; readonly atMs: number }[] = [];
  #head = 0;
  #matched = 0;
  #unmatchedFrames = 0;
  #skippedChunks = 0;

  /** A content chunk the fake LLM wrote at `atMs`; empty chunks carry no token and are ignored. */
  chunkWritten(content: string, atMs: number): void {
    if (content === '') return;
    this.#pending.push({ content, atMs });
  }

  /**
   * A `text` token received at `atMs`: returns its latency in ms when it matches the oldest
   * unmatched chunk with the same content (chunks passed over are counted as skipped), undefined
   * for an empty token or one no chunk explains (e.g. an apology the agent made up).
   */
  textReceived(token: string, atMs: number): number | undefined {
    if (token === '') return undefined;
    for (let i = this.#head; i < this.#pending.length; i++) {
      const chunk = this.#pending[i] as { content: string; atMs: number };
      if (chunk.content !== token) continue;
      this.#skippedChunks += i - this.#head;
      this.#head = i + 1;
      this.#matched++;
      if (this.#head > 64 && this.#head * 2 > this.#pending.length) {
        this.#pending.splice(0, this.#head);
        this.#head = 0;
      }
      return atMs - chunk.atMs;
    }
    this.#unmatchedFrames++;
    return undefined;
  }

  /** Counts so far; `unmatchedChunks` includes chunks still waiting for their frame. */
  counts(): { readonly matched: number; readonly unmatchedFrames: number; readonly unmatchedChunks: number } {
    return { matched: this.#matched, unmatchedFrames: this.#unmatchedFrames, unmatchedChunks: this.#skippedChunks + (this.#pending.length - this.#head) };
  }
}
