import { describe, expect, it } from 'vitest';
import { createSeededIds } from '../../../simulator/core/ids.ts';
import { createSeededRandom } from '../../../simulator/core/random.ts';

describe('createSeededIds', () => {
  it('derives every id from the seed', () => {
    const make = () => {
      const ids = createSeededIds(createSeededRandom(99));
      return [ids.traceId(), ids.spanId(), ids.sid('CA'), ids.simulationOutputId(), ids.phoneNumber()];
    };
    expect(make()).toEqual(make());
  });

  it('shapes ids like OTLP, Twilio and Coval do', () => {
    const ids = createSeededIds(createSeededRandom(1));
    for (let i = 0; i < 50; i++) {
      expect(ids.traceId()).toMatch(/^[0-9a-f]{32}$/);
      expect(ids.spanId()).toMatch(/^[0-9a-f]{16}$/);
      expect(ids.sid('CA')).toMatch(/^CA[0-9a-f]{32}$/);
      expect(ids.sid('VX')).toMatch(/^VX[0-9a-f]{32}$/);
      expect(ids.simulationOutputId()).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(ids.phoneNumber()).toMatch(/^\+1555\d{7}$/);
    }
  });
});
