/**
 * The reference agent's public surface. Everything is named here explicitly (no `export *`), so
 * what the package offers is visible in one place.
 */

// Building and running the agent
export { buildAgent } from './app.ts';
export type { AgentApp, AgentControl } from './app.ts';
export { AGENT_CONFIG_VARIABLES, AgentConfigSchema, loadAgentConfig } from './config.ts';
export type { AgentConfigVariable, ConfigProblem, ResolvedAgentConfig } from './config.ts';
export { createRealDeps, MAX_TOOL_ITERATIONS, openRegistryStore, toFastifyLogger } from './deps.ts';
export type { AgentDeps, CallExporter, CallIo, CallSession, DrainSummary, PlatformDeps, SessionFactory } from './deps.ts';
export { CUT_CALLS_WAIT_MS, EXIT_CONFIG_INVALID, EXIT_FAILURE, runMain, shutdownAgent } from './main.ts';
export type { MainOptions, RunningAgent, ShutdownReport, ShutdownTarget } from './main.ts';
export { AgentErrors } from './errors.ts';
export type { AgentErrorCode } from './errors.ts';

// Routes' public constants
export { REGISTER_BODY_LIMIT, REGISTER_RETRY_AFTER_SECONDS, RegisterSimulationBody } from './routes/register-simulation.ts';
export { MAX_SOCKET_MESSAGE_BYTES } from './routes/relay-socket.ts';
export { CONNECT_ACTION_PATH, RELAY_PATH } from './routes/voice-webhook.ts';
export { publicBaseOf } from './routes/public-url.ts';
export type { PublicBase } from './routes/public-url.ts';
export { checkTwilioSignature } from './routes/twilio-signature.ts';
export type { FormParams, SignatureCheck } from './routes/twilio-signature.ts';
export { connectRelayTwiml, hangupTwiml } from './routes/twiml.ts';

// Platform: time, randomness, ids, logging
export { sleep, systemClock } from './platform/clock.ts';
export type { Clock, TimerHandle } from './platform/clock.ts';
export { ManualClock } from './platform/manual-clock.ts';
export type { ManualClockOptions } from './platform/manual-clock.ts';
export { createSeededRandom, cryptoRandom } from './platform/random.ts';
export type { Random } from './platform/random.ts';
export { createSeededIds, cryptoIds } from './platform/ids.ts';
export type { IdGenerator } from './platform/ids.ts';
export { createRecordingLogger } from './platform/logger.ts';
export type { AgentLogger, RecordedLogLine } from './platform/logger.ts';

// Simulation-id registry
export { MAX_NUMBER_LENGTH, MAX_SIMULATION_ID_LENGTH, SimulationRegistry } from './registry/simulation-registry.ts';
export type { ClaimResult, RegisterInput, RegisterResult, RegistryOptions } from './registry/simulation-registry.ts';
export { MemoryRegistryStore } from './registry/memory-store.ts';
export {
  createRegistryRedisClient,
  DEFAULT_REDIS_COMMAND_TIMEOUT_MS,
  DEFAULT_REDIS_CONNECT_TIMEOUT_MS,
  DEFAULT_REDIS_KEY_PREFIX,
  KEY_EXPIRY_MARGIN_MS,
  openRedisRegistryStore,
  RedisRegistryStore,
  registryKeys,
} from './registry/redis-store.ts';
export type { OpenRedisRegistryStoreOptions, RedisRegistryStoreOptions } from './registry/redis-store.ts';
export { isRedisUrl, redactRedisUrl } from './registry/redis-url.ts';
export { CORRELATION_STRATEGIES } from './registry/registry-types.ts';
export type { AddOutcome, ClaimOutcome, CorrelationStrategy, PendingRegistration, RegistryPolicy, RegistryStore } from './registry/registry-types.ts';

// Relay session, LLM and tools
export { APOLOGY_TEXT, createRelaySession, DEFAULT_LLM_IDLE_TIMEOUT_MS, TOOL_LIMIT_TEXT } from './session/relay-session.ts';
export type { RelaySession, RelaySessionDeps, RelaySessionState } from './session/relay-session.ts';
export { createRelaySessionFactory } from './session/relay-session-factory.ts';
export type { RelaySessionFactoryOptions } from './session/relay-session-factory.ts';
export type { AssistantTurn, CallEvent, CallLog, TokenUsage, ToolTurn, UserTurn } from './session/call-log.ts';
export { createOpenAiLlmClient, DEFAULT_LLM_TIMEOUT_MS } from './llm/openai-llm-client.ts';
export type { OpenAiLlmClientOptions } from './llm/openai-llm-client.ts';
export type { ChatMessage, LlmClient, LlmDelta, LlmRequest, LlmToolCall, ToolDefinition } from './llm/llm-client.ts';
export { createReferenceToolRegistry, REFERENCE_SYSTEM_PROMPT } from './tools/reference-tools.ts';
export { createToolRegistry } from './tools/tool-registry.ts';
export type { AgentTool, ToolRegistry } from './tools/tool-registry.ts';

// Tracing
export { createTraceExporter } from './tracing/trace-exporter.ts';
export type { DrainReport, ExportOutcome, TraceExporter, TraceExporterOptions, UndeliveredReason } from './tracing/trace-exporter.ts';
