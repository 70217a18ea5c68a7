import { describe, expect, it } from 'vitest';
import { systemClock } from '../../../simulator/core/clock.ts';
import { ManualClock } from '../../../simulator/core/manual-clock.ts';
import { resolveFakeOpenAiOptions } from '../../../simulator/openai/fake-openai-options.ts';

describe('resolveFakeOpenAiOptions', () => {
  it('fills defaults: system clock, seed 0, empty script, token chunks without delays', () => {
    const resolved = resolveFakeOpenAiOptions({});
    expect(resolved.clock).toBe(systemClock);
    expect(resolved.script).toEqual([]);
    expect(resolved.defaults).toEqual({ chunk: 'token', firstTokenMs: 0, interTokenMs: 0 });
    expect(resolved.recordChunks).toBe(true);
    expect(resolved.random.int(0, 1_000_000)).toBe(resolveFakeOpenAiOptions({ seed: 0 }).random.int(0, 1_000_000));
    expect(Object.isFrozen(resolved)).toBe(true);
  });

  it('keeps what it is given', () => {
    const clock = new ManualClock();
    const resolved = resolveFakeOpenAiOptions({ clock, defaults: { chunk: { size: 4 }, firstTokenMs: 10 }, models: ['x'] });
    expect(resolved.clock).toBe(clock);
    expect(resolved.defaults).toEqual({ chunk: { size: 4 }, firstTokenMs: 10, interTokenMs: 0 });
    expect(resolved.models).toEqual(['x']);
  });

  it('refuses bad options with SIM_ERR_OPENAI_OPTIONS_INVALID', () => {
    const code = expect.objectContaining({ code: 'SIM_ERR_OPENAI_OPTIONS_INVALID' });
    expect(() => resolveFakeOpenAiOptions({ seed: 1.5 })).toThrow(code);
    expect(() => resolveFakeOpenAiOptions({ apiKeys: [] })).toThrow(code);
    expect(() => resolveFakeOpenAiOptions({ defaults: { firstTokenMs: -1 } })).toThrow(code);
    expect(() => resolveFakeOpenAiOptions({ defaults: { chunk: { size: 0 } } })).toThrow(code);
    expect(() => resolveFakeOpenAiOptions({ models: [] })).toThrow(code);
  });

  it('validates the script', () => {
    expect(() => resolveFakeOpenAiOptions({ script: [{ when: { user: 'x' } }] })).toThrow(expect.objectContaining({ code: 'SIM_ERR_OPENAI_SCRIPT_INVALID' }));
  });
});
