import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../simulator/core/manual-clock.ts';
import { parseProxyTargets } from '../../../simulator/proxy/proxy-options.ts';
import type { RoundRobinProxyOptions } from '../../../simulator/proxy/proxy-options.ts';
import { buildRoundRobinProxy } from '../../../simulator/proxy/round-robin-proxy.ts';

const clock = new ManualClock();

function problem(options: unknown): string {
  try {
    parseProxyTargets(options as RoundRobinProxyOptions);
  } catch (error) {
    expect((error as { code?: string }).code).toBe('SIM_ERR_PROXY_OPTIONS_INVALID');
    return (error as Error).message;
  }
  throw new Error('expected the options to be refused');
}

describe('parseProxyTargets', () => {
  it('accepts http base URLs, with or without a trailing slash or port', () => {
    expect(parseProxyTargets({ targets: ['http://127.0.0.1:4001', 'http://replica.local/', 'http://[::1]:9'], clock })).toEqual([
      { url: 'http://127.0.0.1:4001', hostname: '127.0.0.1', port: 4001 },
      { url: 'http://replica.local', hostname: 'replica.local', port: 80 },
      { url: 'http://[::1]:9', hostname: '::1', port: 9 },
    ]);
  });

  it.each([
    [{ targets: [], clock }, 'targets must be a non-empty array'],
    [{ targets: 'http://x', clock }, 'targets must be a non-empty array'],
    [{ targets: [42], clock }, 'targets[0] must be a URL string'],
    [{ targets: ['http://ok', 'nope'], clock }, "targets[1] 'nope' is not a URL"],
    [{ targets: ['https://x'], clock }, 'must use http:'],
    [{ targets: ['ws://x'], clock }, 'must use http:'],
    [{ targets: ['http://x/agent'], clock }, 'must be a bare base URL'],
    [{ targets: ['http://x/?a=1'], clock }, 'must be a bare base URL'],
    [{ targets: ['http://u:p@x'], clock }, 'must be a bare base URL'],
    [{ targets: ['http://x'] }, 'clock is required'],
    [{ targets: ['http://x'], clock, choose: 3 }, 'choose must be a function'],
    [null, 'options must be an object'],
  ])('refuses %j', (options, message) => {
    expect(problem(options)).toContain(message);
  });

  it('is applied by buildRoundRobinProxy before anything is built', () => {
    expect(() => buildRoundRobinProxy({ targets: [], clock })).toThrow(/SIM_ERR_PROXY_OPTIONS_INVALID|non-empty/);
  });
});
