/** Close code reported for a close frame that carries no status (RFC 6455 §7.1.5). */
export const NO_STATUS_RECEIVED = 1005;

const OPCODE_CLOSE = 0x8;

/**
 * Watches one direction of a WebSocket byte stream, without changing it, until the first close
 * frame, and reports its status code. It reads only frame headers and the first two payload bytes
 * of a close frame, so it costs next to nothing on data frames. Control frames are never
 * compressed, so permessage-deflate does not matter.
 */
export class CloseFrameSniffer {
  readonly #head = Buffer.alloc(14);
  #headLength = 0;
  #remaining = 0;
  #inClose = false;
  #payloadIndex = 0;
  #mask: number[] | undefined;
  #codeBytes: number[] = [];
  #code: number | undefined;

  /** The close code once seen. */
  get code(): number | undefined {
    return this.#code;
  }

  /** Feeds the next chunk; returns the close code when this chunk completed the close frame's status. */
  push(chunk: Uint8Array): number | undefined {
    let i = 0;
    while (i < chunk.length && this.#code === undefined) {
      if (this.#remaining > 0) {
        const take = Math.min(this.#remaining, chunk.length - i);
        if (this.#inClose) this.#collect(chunk, i, take);
        i += take;
        this.#remaining -= take;
        continue;
      }
      this.#head[this.#headLength++] = chunk[i++] ?? 0;
      if (this.#headLength >= 2 && this.#headLength === this.#neededHeadLength()) this.#startFrame();
    }
    return this.#code;
  }

  #neededHeadLength(): number {
    const second = this.#head[1] ?? 0;
    const len7 = second & 0x7f;
    return 2 + (len7 === 126 ? 2 : len7 === 127 ? 8 : 0) + (second & 0x80 ? 4 : 0);
  }

  #startFrame(): void {
    const opcode = (this.#head[0] ?? 0) & 0x0f;
    const second = this.#head[1] ?? 0;
    const len7 = second & 0x7f;
    let offset = 2;
    let length = len7;
    if (len7 === 126) {
      length = this.#head.readUInt16BE(2);
      offset = 4;
    } else if (len7 === 127) {
      length = Number(this.#head.readBigUInt64BE(2));
      offset = 10;
    }
    this.#mask = second & 0x80 ? [...this.#head.subarray(offset, offset + 4)] : undefined;
    this.#headLength = 0;
    this.#remaining = length;
    if (opcode !== OPCODE_CLOSE) return;
    if (length < 2) {
      this.#code = NO_STATUS_RECEIVED;
      return;
    }
    this.#inClose = true;
    this.#payloadIndex = 0;
  }

  #collect(chunk: Uint8Array, start: number, count: number): void {
    for (let k = 0; k < count && this.#codeBytes.length < 2; k++) {
      const masked = chunk[start + k] ?? 0;
      this.#codeBytes.push(this.#mask ? masked ^ (this.#mask[this.#payloadIndex % 4] ?? 0) : masked);
      this.#payloadIndex++;
    }
    if (this.#codeBytes.length === 2) this.#code = ((this.#codeBytes[0] ?? 0) << 8) | (this.#codeBytes[1] ?? 0);
  }
}
