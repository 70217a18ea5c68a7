import fc from 'fast-check';
import * as wsModule from 'ws';
import { describe, expect, it } from 'vitest';
import { CloseFrameSniffer, NO_STATUS_RECEIVED } from '../../../simulator/proxy/close-frame-sniffer.ts';
import { fcOptions } from '../../support/fc-config.ts';

interface FrameOptions {
  fin: boolean;
  opcode: number;
  mask: boolean;
  readOnly: boolean;
  generateMask?: (mask: Buffer) => void;
}
/** ws's own frame encoder (untyped in @types/ws), so the sniffer is checked against an independent writer. */
const { Sender } = wsModule as unknown as { Sender: { frame(data: Buffer, options: FrameOptions): Buffer[] } };

function frame(opcode: number, payload: Buffer, mask: readonly number[] | undefined): Buffer {
  const options: FrameOptions = { fin: true, opcode, mask: mask !== undefined, readOnly: false };
  if (mask) options.generateMask = (buffer) => buffer.set(mask);
  return Buffer.concat(Sender.frame(Buffer.from(payload), options));
}

function closePayload(code: number, reason: string): Buffer {
  const payload = Buffer.alloc(2 + Buffer.byteLength(reason));
  payload.writeUInt16BE(code, 0);
  payload.write(reason, 2);
  return payload;
}

function feed(bytes: Buffer, cuts: readonly number[]): CloseFrameSniffer {
  const sniffer = new CloseFrameSniffer();
  let start = 0;
  for (const cut of [...new Set(cuts)].sort((a, b) => a - b).concat(bytes.length)) {
    sniffer.push(bytes.subarray(start, cut));
    start = cut;
  }
  return sniffer;
}

const maskArb = fc.option(fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 4, maxLength: 4 }), { nil: undefined });
const dataFrameArb = fc.record({
  opcode: fc.constantFrom(0x1, 0x2, 0x9, 0xa),
  length: fc.oneof({ weight: 8, arbitrary: fc.integer({ min: 0, max: 300 }) }, { weight: 1, arbitrary: fc.constantFrom(65_535, 65_536, 70_000) }),
  fill: fc.integer({ min: 0, max: 255 }),
});

describe('CloseFrameSniffer', () => {
  it('finds the close code after any data frames, however the stream is cut', () => {
    fc.assert(
      fc.property(
        fc.array(dataFrameArb, { maxLength: 5 }),
        maskArb,
        fc.integer({ min: 1000, max: 4999 }),
        fc.string({ maxLength: 40 }),
        fc.array(fc.nat(), { maxLength: 12 }),
        (frames, mask, code, reason, rawCuts) => {
          // Control frames carry at most 125 bytes; ws would refuse to read longer pings, but the sniffer only counts.
          const data = frames.map((f) => frame(f.opcode, Buffer.alloc(f.length, f.fill), mask));
          const close = frame(0x8, closePayload(code, reason.slice(0, 60)), mask);
          const before = Buffer.concat(data);
          const bytes = Buffer.concat([before, close, Buffer.from('trailing bytes after close')]);
          const cuts = rawCuts.map((c) => c % (bytes.length + 1));
          expect(feed(before, cuts.filter((c) => c <= before.length)).code).toBeUndefined();
          expect(feed(bytes, cuts).code).toBe(code);
        },
      ),
      fcOptions({ numRuns: 200 }),
    );
  });

  it('reports 1005 for a close frame without a status', () => {
    const sniffer = new CloseFrameSniffer();
    expect(sniffer.push(frame(0x8, Buffer.alloc(0), [1, 2, 3, 4]))).toBe(NO_STATUS_RECEIVED);
  });

  it('returns the code from the push that completed it, byte by byte', () => {
    const bytes = frame(0x8, closePayload(1007, 'bad'), [9, 8, 7, 6]);
    const sniffer = new CloseFrameSniffer();
    const results = [...bytes].map((byte) => sniffer.push(Buffer.from([byte])));
    // Header (2) + mask (4) + two code bytes: the 8th byte completes the code.
    expect(results.slice(0, 7).every((r) => r === undefined)).toBe(true);
    expect(results[7]).toBe(1007);
  });

  it('keeps the first close code', () => {
    const sniffer = new CloseFrameSniffer();
    sniffer.push(Buffer.concat([frame(0x8, closePayload(4001, ''), undefined), frame(0x8, closePayload(1000, ''), undefined)]));
    expect(sniffer.code).toBe(4001);
  });
});
