import { describe, expect, it } from 'vitest';
import { SimErrors } from '../../../simulator/core/errors.ts';

describe('SimErrors', () => {
  it('names each error after its own code, with the SIM_ERR_ prefix', () => {
    for (const [key, ErrorClass] of Object.entries(SimErrors)) {
      const error = new ErrorClass('1', '2', '3');
      expect(error.code).toBe(key);
      expect(key).toMatch(/^SIM_ERR_[A-Z0-9_]+$/);
    }
  });
});
