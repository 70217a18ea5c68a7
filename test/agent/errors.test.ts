import { describe, expect, it } from 'vitest';
import { AgentErrors } from '../../agent/errors.ts';

describe('AgentErrors', () => {
  it('names each error after its own code, with the AGENT_ERR_ prefix', () => {
    for (const [key, ErrorClass] of Object.entries(AgentErrors)) {
      const error = new ErrorClass('1', '2', '3');
      expect(error.code).toBe(key);
      expect(key).toMatch(/^AGENT_ERR_[A-Z0-9_]+$/);
    }
  });
});
