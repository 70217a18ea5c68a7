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
  // scenario (scenario files)
  SIM_ERR_SCENARIO_INVALID: createError(
    'SIM_ERR_SCENARIO_INVALID',
    'Invalid scenario %s:\n%s\nFix the file (the format is described in docs/scenarios.md).',
    500,
  ),
  SIM_ERR_SCENARIO_NOT_FOUND: createError(
    'SIM_ERR_SCENARIO_NOT_FOUND',
    'No scenario matches %s (available: %s). Check the id, glob or tag.',
    500,
  ),
  SIM_ERR_SCENARIO_READ_FAILED: createError(
    'SIM_ERR_SCENARIO_READ_FAILED',
    'Cannot read scenario path %s: %s. Check that it exists and is readable.',
    500,
  ),
  // coval (fake Coval)
  SIM_ERR_COVAL_OPTIONS_INVALID: createError(
    'SIM_ERR_COVAL_OPTIONS_INVALID',
    'Invalid fake Coval options: %s (see docs/fake-coval.md)',
    500,
  ),
  SIM_ERR_COVAL_DIAL_INVALID: createError(
    'SIM_ERR_COVAL_DIAL_INVALID',
    'Invalid pre-call dial: %s (see docs/fake-coval.md)',
    500,
  ),
  SIM_ERR_COVAL_FAULT_PLAN_INVALID: createError(
    'SIM_ERR_COVAL_FAULT_PLAN_INVALID',
    'Invalid fake Coval fault plan: %s (see docs/fake-coval.md)',
    500,
  ),
  // proxy (round-robin replica proxy)
  SIM_ERR_PROXY_OPTIONS_INVALID: createError(
    'SIM_ERR_PROXY_OPTIONS_INVALID',
    'Invalid round-robin proxy options: %s (see docs/replicas.md)',
    500,
  ),
  SIM_ERR_PROXY_CHOICE_INVALID: createError(
    'SIM_ERR_PROXY_CHOICE_INVALID',
    'The proxy `choose` hook returned %s for request #%s; it must return a target index from 0 to %s. Fix the hook.',
    500,
  ),
  // runner (scenario runner, agent targets, fake stack)
  SIM_ERR_RUN_RECORD_INVALID: createError(
    'SIM_ERR_RUN_RECORD_INVALID',
    'Not a usable RunRecord: %s. Pass a file written by `relaysim run --json` of this kit version.',
    500,
  ),
  SIM_ERR_RUNNER_OPTIONS_INVALID: createError(
    'SIM_ERR_RUNNER_OPTIONS_INVALID',
    'Invalid runner options: %s (see docs/runner.md)',
    500,
  ),
  SIM_ERR_AGENT_START_FAILED: createError(
    'SIM_ERR_AGENT_START_FAILED',
    'The agent under test did not start: %s. Check the command, its environment and its output (see docs/runner.md).',
    500,
  ),
  SIM_ERR_AGENT_EXITED: createError(
    'SIM_ERR_AGENT_EXITED',
    'The agent under test exited during the run (%s). Its last output is in the RunRecord (agent.process).',
    500,
  ),
  SIM_ERR_AGENT_UNREACHABLE: createError(
    'SIM_ERR_AGENT_UNREACHABLE',
    'The agent under test is unreachable at %s: %s. Check that it is running and listening there.',
    500,
  ),
  SIM_ERR_AGENT_MODULE_INVALID: createError(
    'SIM_ERR_AGENT_MODULE_INVALID',
    'The embedded agent module %s is unusable: %s. It must export startEmbeddedAgent({env}) resolving to {baseUrl, close()}.',
    500,
  ),
  // report (console, JSON, JUnit, HTML reports)
  SIM_ERR_REPORT_INPUT_INVALID: createError(
    'SIM_ERR_REPORT_INPUT_INVALID',
    'Cannot build the run report: %s. Pass the RunRecord and the CheckResults of the same scenario (see docs/reports.md).',
    500,
  ),
  SIM_ERR_REPORT_INVALID: createError(
    'SIM_ERR_REPORT_INVALID',
    'Not a usable JSON report: %s. Pass a file written by `relaysim run --json` of this kit version (schema: docs/report.schema.json).',
    500,
  ),
  SIM_ERR_REPORT_WRITE_FAILED: createError(
    'SIM_ERR_REPORT_WRITE_FAILED',
    'Cannot write the report to %s: %s. Check that the directory is writable.',
    500,
  ),
  // checks (check evaluators)
  SIM_ERR_CHECK_EVALUATOR_INVALID: createError(
    'SIM_ERR_CHECK_EVALUATOR_INVALID',
    'The evaluator of check %s is broken: %s. Every catalogue id needs an evaluator returning verdicts for its own id and the record’s calls (simulator/checks/evaluate-checks.ts).',
    500,
  ),
  // race (relaysim race)
  SIM_ERR_RACE_OPTIONS_INVALID: createError(
    'SIM_ERR_RACE_OPTIONS_INVALID',
    'Invalid race options: %s (see docs/race.md)',
    500,
  ),
  SIM_ERR_RACE_REDIS_FAILED: createError(
    'SIM_ERR_RACE_REDIS_FAILED',
    'Cannot start a local redis-server for the race: %s. Install it (Debian/Ubuntu: apt-get install redis-server; macOS: brew install redis) or pass --redis-url.',
    500,
  ),
  // load (relaysim load)
  SIM_ERR_LOAD_OPTIONS_INVALID: createError(
    'SIM_ERR_LOAD_OPTIONS_INVALID',
    'Invalid load options: %s (see docs/performance.md)',
    500,
  ),
} as const;

/** A code from {@link SimErrors}. */
export type SimErrorCode = keyof typeof SimErrors;
