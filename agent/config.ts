import { FormatRegistry, Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { AgentErrors } from './errors.ts';
import { CORRELATION_STRATEGIES } from './registry/registry-types.ts';
import { isRedisUrl, redactRedisUrl } from './registry/redis-url.ts';

const HTTP_URL_FORMAT = 'agent-http-url';

/** True for an absolute http(s) URL without credentials, query or fragment. */
function isHttpUrl(value: string): boolean {
  if (!URL.canParse(value)) return false;
  const url = new URL(value);
  return (url.protocol === 'https:' || url.protocol === 'http:') && url.username === '' && url.password === '' && url.search === '' && url.hash === '';
}

if (!FormatRegistry.Has(HTTP_URL_FORMAT)) FormatRegistry.Set(HTTP_URL_FORMAT, isHttpUrl);

const REDIS_URL_FORMAT = 'agent-redis-url';
if (!FormatRegistry.Has(REDIS_URL_FORMAT)) FormatRegistry.Set(REDIS_URL_FORMAT, isRedisUrl);

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const HttpUrl = Type.String({ format: HTTP_URL_FORMAT });
const Secret = Type.String({ minLength: 1, maxLength: 4096 });

/** The resolved, validated agent configuration (every default applied). */
export const AgentConfigSchema = Type.Object(
  {
    port: Type.Integer({ minimum: 0, maximum: 65535 }),
    host: Type.String({ minLength: 1, maxLength: 255 }),
    publicUrl: Type.Optional(HttpUrl),
    covalApiKey: Type.Optional(Secret),
    covalTracesUrl: HttpUrl,
    openaiApiKey: Type.Optional(Secret),
    openaiBaseUrl: Type.Optional(HttpUrl),
    llmModel: Type.String({ minLength: 1, maxLength: 200 }),
    twilioAuthToken: Type.Optional(Secret),
    simulationTtlSeconds: Type.Integer({ minimum: 1, maximum: 86_400 }),
    correlationStrategy: Type.Union(CORRELATION_STRATEGIES.map((s) => Type.Literal(s))),
    maxPendingSimulations: Type.Integer({ minimum: 1, maximum: 1_000_000 }),
    logLevel: Type.Union(LOG_LEVELS.map((l) => Type.Literal(l))),
    welcomeGreeting: Type.String({ minLength: 1, maxLength: 1000 }),
    shutdownGraceSeconds: Type.Integer({ minimum: 0, maximum: 3600 }),
    serviceName: Type.String({ minLength: 1, maxLength: 200 }),
    redisUrl: Type.Optional(Type.String({ format: REDIS_URL_FORMAT, maxLength: 4096 })),
    redisKeyPrefix: Type.String({ minLength: 1, maxLength: 200 }),
  },
  { additionalProperties: false },
);

/** The frozen configuration {@link loadAgentConfig} returns. */
export type ResolvedAgentConfig = Readonly<Static<typeof AgentConfigSchema>>;

type Field = keyof ResolvedAgentConfig;

/** One environment variable the agent reads: its name, default, meaning and rule. */
export interface AgentConfigVariable {
  readonly name: string;
  readonly field: Field;
  readonly kind: 'string' | 'integer';
  /** The default as written in the environment; undefined when the variable is optional. */
  readonly default: string | undefined;
  readonly meaning: string;
  /** What a valid value looks like, used in error messages. */
  readonly rule: string;
  /** Hides secrets inside a value before an error message shows it. */
  readonly redact?: (raw: string) => string;
}

/** Every variable, in the order the docs list them. */
export const AGENT_CONFIG_VARIABLES: readonly AgentConfigVariable[] = [
  { name: 'PORT', field: 'port', kind: 'integer', default: '8080', meaning: 'TCP port to listen on (0 picks a free port; the agent logs the one it got).', rule: 'an integer from 0 to 65535' },
  { name: 'HOST', field: 'host', kind: 'string', default: '0.0.0.0', meaning: 'Interface to listen on.', rule: 'a host name or address' },
  { name: 'PUBLIC_URL', field: 'publicUrl', kind: 'string', default: undefined, meaning: 'Externally visible base URL (e.g. `https://agent.example.com`). Builds the `wss://` relay URL in the TwiML and the URLs Twilio signatures are checked against. When unset, derived per request from `X-Forwarded-Proto`/`X-Forwarded-Host`/`Host`.', rule: 'an absolute http(s) URL without query, fragment or credentials' },
  { name: 'COVAL_API_KEY', field: 'covalApiKey', kind: 'string', default: undefined, meaning: 'Coval API key. Checked against `x-api-key` on `/register-simulation` and sent on every trace export. When unset, registration answers 401 and traces are not exported (one log line per call).', rule: 'a non-empty string' },
  { name: 'COVAL_TRACES_URL', field: 'covalTracesUrl', kind: 'string', default: 'https://api.coval.dev/v1/traces', meaning: 'Where OTLP/JSON traces are POSTed.', rule: 'an absolute http(s) URL without query, fragment or credentials' },
  { name: 'OPENAI_API_KEY', field: 'openaiApiKey', kind: 'string', default: undefined, meaning: 'OpenAI API key. Required unless `OPENAI_BASE_URL` points at a compatible server that needs none.', rule: 'a non-empty string' },
  { name: 'OPENAI_BASE_URL', field: 'openaiBaseUrl', kind: 'string', default: undefined, meaning: 'Base URL of an OpenAI-compatible API (e.g. `http://127.0.0.1:9000/v1`); the SDK default when unset.', rule: 'an absolute http(s) URL without query, fragment or credentials' },
  { name: 'LLM_MODEL', field: 'llmModel', kind: 'string', default: 'gpt-4o-mini', meaning: 'Chat completion model.', rule: 'a model name' },
  { name: 'TWILIO_AUTH_TOKEN', field: 'twilioAuthToken', kind: 'string', default: undefined, meaning: 'Twilio auth token. When set, `X-Twilio-Signature` is enforced on `/webhook`, `/connect-action` and the `/ws` handshake (403 otherwise). When unset, nothing is checked (local development only).', rule: 'a non-empty string' },
  { name: 'SIMULATION_TTL_SECONDS', field: 'simulationTtlSeconds', kind: 'integer', default: '300', meaning: 'How long a registered simulation id waits for its call before it expires.', rule: 'an integer from 1 to 86400' },
  { name: 'CORRELATION_STRATEGY', field: 'correlationStrategy', kind: 'string', default: 'caller-id', meaning: 'How a call is matched to a registration: `caller-id` (exact caller number, else only registrations without a number), `caller-id-fallback` (exact number, else oldest), `fifo` (oldest).', rule: `one of ${CORRELATION_STRATEGIES.join(', ')}` },
  { name: 'MAX_PENDING_SIMULATIONS', field: 'maxPendingSimulations', kind: 'integer', default: '10000', meaning: 'Most registrations held at once; more are refused with 503.', rule: 'an integer from 1 to 1000000' },
  { name: 'LOG_LEVEL', field: 'logLevel', kind: 'string', default: 'info', meaning: 'Log level (JSON lines on stdout).', rule: `one of ${LOG_LEVELS.join(', ')}` },
  { name: 'WELCOME_GREETING', field: 'welcomeGreeting', kind: 'string', default: 'Hello! How can I help you today?', meaning: 'What Twilio says when the call connects (`welcomeGreeting` in the TwiML).', rule: 'a non-empty string of at most 1000 characters' },
  { name: 'SHUTDOWN_GRACE_SECONDS', field: 'shutdownGraceSeconds', kind: 'integer', default: '10', meaning: 'On SIGTERM/SIGINT: how long open calls may continue, then how long pending exports may flush.', rule: 'an integer from 0 to 3600' },
  { name: 'OTEL_SERVICE_NAME', field: 'serviceName', kind: 'string', default: 'twilio-voice-agent', meaning: '`service.name` resource attribute of exported traces.', rule: 'a non-empty string' },
  { name: 'REDIS_URL', field: 'redisUrl', kind: 'string', default: undefined, meaning: 'Redis for the simulation registry, shared by every replica (e.g. `redis://:password@redis.internal:6379/0`; `rediss://` for TLS). When unset, the registry lives in memory and only works with a single replica. Replica clocks must be NTP-synchronised: registration times are epoch milliseconds.', rule: 'a redis:// or rediss:// URL with a host and no query or fragment', redact: redactRedisUrl },
  { name: 'REDIS_KEY_PREFIX', field: 'redisKeyPrefix', kind: 'string', default: 'relaysim:', meaning: 'Prefix of every registry key in Redis; replicas that share registrations must use the same one.', rule: 'a string of 1 to 200 characters' },
];

const INTEGER = /^[+-]?\d+$/;

/** One bad variable: its name, the rule it broke and the value it had. */
export interface ConfigProblem {
  readonly variable: string;
  readonly message: string;
}

function describe(variable: AgentConfigVariable, raw: string | undefined): string {
  const secret = variable.name.endsWith('_KEY') || variable.name.endsWith('_TOKEN');
  const visible = raw === undefined || variable.redact === undefined ? raw : variable.redact(raw);
  const shown = visible === undefined ? 'unset' : secret ? `<${visible.length} characters>` : `'${visible.length > 80 ? `${visible.slice(0, 80)}…` : visible}'`;
  return `${variable.name} must be ${variable.rule} (actual: ${shown})`;
}

/**
 * Reads, validates and freezes the agent configuration from `env` (normally `process.env`).
 * Empty or blank values count as unset. Throws AGENT_ERR_CONFIG_INVALID naming every bad variable.
 */
export function loadAgentConfig(env: Readonly<Record<string, string | undefined>>): ResolvedAgentConfig {
  const candidate: Record<string, unknown> = {};
  const raws = new Map<Field, string | undefined>();
  for (const variable of AGENT_CONFIG_VARIABLES) {
    const given = env[variable.name];
    const raw = given === undefined || given.trim() === '' ? variable.default : given.trim();
    raws.set(variable.field, raw);
    if (raw === undefined) continue;
    // A non-integer string is kept as a string so that the schema reports it as the wrong type.
    candidate[variable.field] = variable.kind === 'integer' && INTEGER.test(raw) ? Number(raw) : raw;
  }
  if (typeof candidate.publicUrl === 'string' && isHttpUrl(candidate.publicUrl)) {
    candidate.publicUrl = candidate.publicUrl.replace(/\/+$/, '');
  }

  const bad = new Set<Field>();
  for (const error of Value.Errors(AgentConfigSchema, candidate)) {
    const field = error.path.split('/')[1] as Field | undefined;
    if (field !== undefined) bad.add(field);
  }
  const problems: ConfigProblem[] = AGENT_CONFIG_VARIABLES.filter((v) => bad.has(v.field)).map((v) => ({
    variable: v.name,
    message: describe(v, raws.get(v.field)),
  }));
  if (candidate.openaiApiKey === undefined && candidate.openaiBaseUrl === undefined) {
    problems.push({
      variable: 'OPENAI_API_KEY',
      message: 'OPENAI_API_KEY must be set unless OPENAI_BASE_URL points at a server that needs no key (actual: unset)',
    });
  }
  if (problems.length > 0) {
    const list = problems.map((p) => `\n  - ${p.message}`).join('');
    const error = new AgentErrors.AGENT_ERR_CONFIG_INVALID(`${problems.length} invalid environment variable(s):${list}`);
    throw Object.assign(error, { problems });
  }
  return Object.freeze(candidate as ResolvedAgentConfig);
}
