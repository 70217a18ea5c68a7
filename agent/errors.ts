import { createError } from '@fastify/error';

/**
 * Every error the agent throws on purpose, with a stable code (`AGENT_ERR_<AREA>_<WHAT>`).
 * Codes are never reused. Expected failures (a bad frame, a refused export) are values, not these.
 */
export const AgentErrors = {
  AGENT_ERR_CONFIG_INVALID: createError(
    'AGENT_ERR_CONFIG_INVALID',
    'Failed to load the agent configuration: %s. Fix the environment variables listed and start again.',
    500,
  ),
} as const;

/** A code from {@link AgentErrors}. */
export type AgentErrorCode = keyof typeof AgentErrors;
