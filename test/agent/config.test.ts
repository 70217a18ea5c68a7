import { describe, expect, it } from 'vitest';
import { AGENT_CONFIG_VARIABLES, loadAgentConfig } from '../../agent/config.ts';

const MINIMAL = { OPENAI_API_KEY: 'sk-test' };

function problemsOf(env: Record<string, string>): { variable: string; message: string }[] {
  try {
    loadAgentConfig(env);
  } catch (error) {
    expect((error as { code?: string }).code).toBe('AGENT_ERR_CONFIG_INVALID');
    return (error as { problems: { variable: string; message: string }[] }).problems;
  }
  throw new Error('expected loadAgentConfig to throw');
}

describe('loadAgentConfig', () => {
  it('applies every default', () => {
    expect(loadAgentConfig(MINIMAL)).toEqual({
      port: 8080,
      host: '0.0.0.0',
      covalTracesUrl: 'https://api.coval.dev/v1/traces',
      openaiApiKey: 'sk-test',
      llmModel: 'gpt-4o-mini',
      simulationTtlSeconds: 300,
      correlationStrategy: 'caller-id',
      maxPendingSimulations: 10000,
      logLevel: 'info',
      welcomeGreeting: 'Hello! How can I help you today?',
      shutdownGraceSeconds: 10,
      serviceName: 'twilio-voice-agent',
      redisKeyPrefix: 'relaysim:',
    });
  });

  it('reads every variable', () => {
    const config = loadAgentConfig({
      PORT: '9000',
      HOST: '127.0.0.1',
      PUBLIC_URL: 'https://agent.example.com/',
      COVAL_API_KEY: 'ck',
      COVAL_TRACES_URL: 'http://127.0.0.1:4318/v1/traces',
      OPENAI_API_KEY: 'ok',
      OPENAI_BASE_URL: 'http://127.0.0.1:9999/v1',
      LLM_MODEL: 'gpt-4.1',
      TWILIO_AUTH_TOKEN: 'tt',
      SIMULATION_TTL_SECONDS: '60',
      CORRELATION_STRATEGY: 'fifo',
      MAX_PENDING_SIMULATIONS: '5',
      LOG_LEVEL: 'debug',
      WELCOME_GREETING: 'Hi',
      SHUTDOWN_GRACE_SECONDS: '0',
      OTEL_SERVICE_NAME: 'clinic',
      REDIS_URL: 'rediss://:pw@redis.internal:6380/2',
      REDIS_KEY_PREFIX: 'clinic:',
    });
    expect(config).toEqual({
      port: 9000,
      host: '127.0.0.1',
      publicUrl: 'https://agent.example.com',
      covalApiKey: 'ck',
      covalTracesUrl: 'http://127.0.0.1:4318/v1/traces',
      openaiApiKey: 'ok',
      openaiBaseUrl: 'http://127.0.0.1:9999/v1',
      llmModel: 'gpt-4.1',
      twilioAuthToken: 'tt',
      simulationTtlSeconds: 60,
      correlationStrategy: 'fifo',
      maxPendingSimulations: 5,
      logLevel: 'debug',
      welcomeGreeting: 'Hi',
      shutdownGraceSeconds: 0,
      serviceName: 'clinic',
      redisUrl: 'rediss://:pw@redis.internal:6380/2',
      redisKeyPrefix: 'clinic:',
    });
  });

  it('returns a frozen object', () => {
    const config = loadAgentConfig(MINIMAL);
    expect(Object.isFrozen(config)).toBe(true);
    expect(() => {
      (config as { port: number }).port = 1;
    }).toThrow(TypeError);
  });

  it('treats empty and blank values as unset', () => {
    const config = loadAgentConfig({ ...MINIMAL, PORT: '', TWILIO_AUTH_TOKEN: '   ', COVAL_API_KEY: '' });
    expect(config.port).toBe(8080);
    expect(config.twilioAuthToken).toBeUndefined();
    expect(config.covalApiKey).toBeUndefined();
  });

  it('needs no OpenAI key when OPENAI_BASE_URL is set', () => {
    expect(loadAgentConfig({ OPENAI_BASE_URL: 'http://127.0.0.1:9999/v1' }).openaiApiKey).toBeUndefined();
  });

  it('lists every bad variable at once, in table order', () => {
    const problems = problemsOf({
      PORT: '70000',
      HOST: ' ',
      PUBLIC_URL: 'wss://agent.example.com',
      COVAL_TRACES_URL: 'not a url',
      OPENAI_BASE_URL: 'https://api.example.com/v1?x=1',
      SIMULATION_TTL_SECONDS: '1.5',
      CORRELATION_STRATEGY: 'round-robin',
      MAX_PENDING_SIMULATIONS: '0',
      LOG_LEVEL: 'verbose',
      WELCOME_GREETING: 'x'.repeat(1001),
      SHUTDOWN_GRACE_SECONDS: '-1',
    });
    expect(problems.map((p) => p.variable)).toEqual([
      'PORT',
      'PUBLIC_URL',
      'COVAL_TRACES_URL',
      'OPENAI_BASE_URL',
      'SIMULATION_TTL_SECONDS',
      'CORRELATION_STRATEGY',
      'MAX_PENDING_SIMULATIONS',
      'LOG_LEVEL',
      'WELCOME_GREETING',
      'SHUTDOWN_GRACE_SECONDS',
    ]);
  });

  it.each([
    ['PORT', 'abc', "PORT must be an integer from 0 to 65535 (actual: 'abc')"],
    ['PORT', '-1', "PORT must be an integer from 0 to 65535 (actual: '-1')"],
    ['SIMULATION_TTL_SECONDS', '0', "SIMULATION_TTL_SECONDS must be an integer from 1 to 86400 (actual: '0')"],
    ['MAX_PENDING_SIMULATIONS', '1e3', "MAX_PENDING_SIMULATIONS must be an integer from 1 to 1000000 (actual: '1e3')"],
    ['CORRELATION_STRATEGY', 'CALLER-ID', "CORRELATION_STRATEGY must be one of caller-id, caller-id-fallback, fifo (actual: 'CALLER-ID')"],
    ['PUBLIC_URL', 'https://user:pw@agent.example.com', "PUBLIC_URL must be an absolute http(s) URL without query, fragment or credentials (actual: 'https://user:pw@agent.example.com')"],
    ['COVAL_TRACES_URL', 'ftp://coval', "COVAL_TRACES_URL must be an absolute http(s) URL without query, fragment or credentials (actual: 'ftp://coval')"],
  ])('explains a bad %s (%s)', (variable, value, message) => {
    expect(problemsOf({ ...MINIMAL, [variable]: value })).toEqual([{ variable, message }]);
  });

  it.each([
    ['http://redis.internal:6379'],
    ['redis://'],
    ['redis.internal:6379'],
    ['redis://redis.internal:6379/0?tls=true'],
  ])('refuses REDIS_URL %s', (value) => {
    expect(problemsOf({ ...MINIMAL, REDIS_URL: value })).toEqual([
      { variable: 'REDIS_URL', message: `REDIS_URL must be a redis:// or rediss:// URL with a host and no query or fragment (actual: '${value}')` },
    ]);
  });

  it('hides the Redis password when REDIS_URL is refused', () => {
    const [problem] = problemsOf({ ...MINIMAL, REDIS_URL: 'redis://:hunter2@redis.internal:6379/0#x' });
    expect(problem?.message).toContain("(actual: 'redis://:***@redis.internal:6379/0#x')");
    expect(problem?.message).not.toContain('hunter2');
  });

  it('refuses an over-long REDIS_KEY_PREFIX', () => {
    expect(problemsOf({ ...MINIMAL, REDIS_KEY_PREFIX: 'p'.repeat(201) }).map((p) => p.variable)).toEqual(['REDIS_KEY_PREFIX']);
  });

  it('reports a missing OpenAI key next to the other problems', () => {
    const problems = problemsOf({ PORT: 'x' });
    expect(problems.map((p) => p.variable)).toEqual(['PORT', 'OPENAI_API_KEY']);
  });

  it('never prints secret values', () => {
    const secret = 'sk-very-secret-value';
    const problems = problemsOf({ OPENAI_API_KEY: secret, TWILIO_AUTH_TOKEN: 'y'.repeat(5000) });
    expect(problems).toEqual([{ variable: 'TWILIO_AUTH_TOKEN', message: 'TWILIO_AUTH_TOKEN must be a non-empty string (actual: <5000 characters>)' }]);
  });

  it('puts every problem in the error message', () => {
    expect(() => loadAgentConfig({ PORT: 'x', LOG_LEVEL: 'y' })).toThrow(/3 invalid environment variable\(s\):\n {2}- PORT .*\n {2}- LOG_LEVEL .*\n {2}- OPENAI_API_KEY/);
  });

  it('ignores unrelated environment variables', () => {
    expect(loadAgentConfig({ ...MINIMAL, HOME: '/root', NODE_OPTIONS: '--x' }).port).toBe(8080);
  });

  it('documents every variable in docs/agent.md', async () => {
    const { readFile } = await import('node:fs/promises');
    const doc = await readFile(new URL('../../docs/agent.md', import.meta.url), 'utf8');
    for (const variable of AGENT_CONFIG_VARIABLES) {
      expect(doc, variable.name).toContain(`| \`${variable.name}\` | ${variable.default === undefined ? '–' : `\`${variable.default}\``} |`);
    }
  });
});
