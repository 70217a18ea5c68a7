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
  AGENT_ERR_TRACING_CALL_LOG_INVALID: createError(
    'AGENT_ERR_TRACING_CALL_LOG_INVALID',
    'Failed to build spans for call %s: %s. The relay session must record finite, non-negative epoch-millisecond times.',
    500,
  ),
  AGENT_ERR_TRACING_SPAN_INVALID: createError(
    'AGENT_ERR_TRACING_SPAN_INVALID',
    'Failed to encode span %s as OTLP JSON: %s. Spans must come from buildCallSpans with a valid IdGenerator.',
    500,
  ),
  AGENT_ERR_TRACING_OPTIONS_INVALID: createError(
    'AGENT_ERR_TRACING_OPTIONS_INVALID',
    'Failed to create the trace exporter: %s. Fix the exporter options (COVAL_TRACES_URL, timeouts) and start again.',
    500,
  ),
  AGENT_ERR_SESSION_OPTIONS_INVALID: createError(
    'AGENT_ERR_SESSION_OPTIONS_INVALID',
    'Failed to create a relay session: %s. Fix the session options (MAX_TOOL_ITERATIONS, frame and LLM limits) and start again.',
    500,
  ),
  AGENT_ERR_REGISTRY_UNAVAILABLE: createError(
    'AGENT_ERR_REGISTRY_UNAVAILABLE',
    'Registry store unavailable: %s. Check that Redis at REDIS_URL is running and reachable.',
    503,
  ),
  AGENT_ERR_REGISTRY_OPTIONS_INVALID: createError(
    'AGENT_ERR_REGISTRY_OPTIONS_INVALID',
    'Failed to create the Redis registry store: %s. Fix REDIS_URL / REDIS_KEY_PREFIX or the store options and start again.',
    500,
  ),
  AGENT_ERR_REGISTRY_DATA_INVALID: createError(
    'AGENT_ERR_REGISTRY_DATA_INVALID',
    'The Redis registry store read unexpected data: %s. Another program may be writing under REDIS_KEY_PREFIX; give the agent a prefix of its own.',
    500,
  ),
} as const;

/** A code from {@link AgentErrors}. */
export type AgentErrorCode = keyof typeof AgentErrors;
