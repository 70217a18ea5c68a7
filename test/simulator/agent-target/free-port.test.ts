import { createServer } from 'node:net';
import { describe, expect, it, onTestFinished } from 'vitest';
import { findFreePort, PICKED_PORTS } from '../../../simulator/agent-target/free-port.ts';
import type { Random } from '../../../simulator/core/random.ts';

/** A Random whose int() returns `values` in turn (then the last one). */
const scripted = (...values: number[]): Random => {
  let i = 0;
  const random: Random = { next: () => 0, int: () => values[Math.min(i++, values.length - 1)] as number, derive: () => random };
  return random;
};

describe('findFreePort', () => {
  it('picks a listenable port below the ranges outgoing connections use', async () => {
    const port = await findFreePort();
    expect(port).toBeGreaterThanOrEqual(PICKED_PORTS.first);
    expect(port).toBeLessThanOrEqual(PICKED_PORTS.last);
    const server = createServer();
    onTestFinished(() => void server.close());
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, '127.0.0.1', resolve));
  });

  it('skips a port that is taken', async () => {
    const taken = createServer();
    onTestFinished(() => void taken.close());
    const port = await findFreePort();
    await new Promise<void>((resolve) => taken.listen(port, '127.0.0.1', resolve));
    const other = await findFreePort();
    expect(await findFreePort('127.0.0.1', scripted(port, other))).toBe(other);
  });

  it('falls back to a port the kernel chooses when every pick is taken', async () => {
    const taken = createServer();
    onTestFinished(() => void taken.close());
    const port = await findFreePort();
    await new Promise<void>((resolve) => taken.listen(port, '127.0.0.1', resolve));
    const fallback = await findFreePort('127.0.0.1', scripted(port));
    expect(fallback).not.toBe(port);
    expect(fallback).toBeGreaterThan(0);
  });
});
