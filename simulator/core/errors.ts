import { createError } from '@fastify/error';

/**
 * Every error the simulator throws on purpose, with a stable code (`SIM_ERR_<AREA>_<WHAT>`).
 * Codes are never reused. Add new ones here, in the area's block; `test/simulator/core/errors.test.ts`
 * checks each key equals its code.
 */
export const SimErrors = {
  // core
  SIM_ERR_WAIT_TIMEOUT: createError('SIM_ERR_WAIT_TIMEOUT', 'Timed out after %s ms waiting for %s', 500),
  // openai (fake OpenAI)
  SIM_ERR_OPENAI_SCRIPT_INVALID: createError(
    'SIM_ERR_OPENAI_SCRIPT_INVALID',
    'Invalid LLM script: %s. Fix the `llm` rules (see docs/fake-openai.md).',
    500,
  ),
  SIM_ERR_OPENAI_OPTIONS_INVALID: createError(
    'SIM_ERR_OPENAI_OPTIONS_INVALID',
    'Invalid fake OpenAI options: %s',
    500,
  ),
  // twilio (fake Twilio)
  SIM_ERR_TWILIO_SOCKET_CLOSED: createError(
    'SIM_ERR_TWILIO_SOCKET_CLOSED',
    'Stopped waiting for %s: the ConversationRelay socket closed (code %s) before it happened',
    500,
  ),
  SIM_ERR_TWILIO_OPTIONS_INVALID: createError(
    'SIM_ERR_TWILIO_OPTIONS_INVALID',
    'Invalid fake Twilio options: %s (see docs/fake-twilio.md)',
    500,
  ),
  SIM_ERR_TWILIO_CALLER_ACTION_INVALID: createError(
    'SIM_ERR_TWILIO_CALLER_ACTION_INVALID',
    'Invalid caller action: %s. Fix the caller script (see docs/fake-twilio.md).',
    500,
  ),
} as const;

/** A code from {@link SimErrors}. */
export type SimErrorCode = keyof typeof SimErrors;
