import { describe, expect, it, onTestFinished } from 'vitest';
import { buildTestAgent, formPayload, TEST_AUTH_TOKEN, TEST_PUBLIC_URL, twilioSignature } from '../../support/agent-fakes.ts';

const SID = (prefix: string): string => `${prefix}${'0'.repeat(31)}1`;
const CALL = {
  AccountSid: SID('AC'),
  ApiVersion: '2010-04-01',
  CallSid: SID('CA'),
  CallStatus: 'ringing',
  Direction: 'inbound',
  From: '+15555550100',
  To: '+15555550199',
};

async function agent(env: Record<string, string | undefined> = {}) {
  const built = buildTestAgent(env);
  onTestFinished(() => built.app.close());
  await built.app.ready();
  return built;
}

function post(signature: string | undefined, headers: Record<string, string> = {}) {
  const form = formPayload(CALL);
  return {
    method: 'POST' as const,
    url: '/webhook',
    payload: form.payload,
    headers: { ...form.headers, ...headers, ...(signature === undefined ? {} : { 'x-twilio-signature': signature }) },
  };
}

describe('POST /webhook', () => {
  it('answers Connect/ConversationRelay TwiML as text/xml when the signature is valid', async () => {
    const { app } = await agent();
    const res = await app.inject(post(twilioSignature(TEST_AUTH_TOKEN, `${TEST_PUBLIC_URL}/webhook`, CALL)));
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/xml/);
    expect(res.body).toBe(
      '<?xml version="1.0" encoding="UTF-8"?><Response><Connect action="https://agent.example.com/connect-action">' +
        '<ConversationRelay url="wss://agent.example.com/ws" welcomeGreeting="Hello! How can I help you today?" dtmfDetection="true"/></Connect></Response>',
    );
  });

  it('escapes the configured welcome greeting in the TwiML', async () => {
    const { app } = await agent({ WELCOME_GREETING: 'Hi <there> & "welcome"' });
    const res = await app.inject(post(twilioSignature(TEST_AUTH_TOKEN, `${TEST_PUBLIC_URL}/webhook`, CALL)));
    expect(res.body).toContain('welcomeGreeting="Hi &lt;there> &amp; &quot;welcome&quot;"');
  });

  it('computes the worked incoming-call signature of the protocol reference in the test helper', () => {
    // conversationrelay.md §5.3, so the helper that signs every request below is known to be right.
    expect(twilioSignature(TEST_AUTH_TOKEN, 'https://example.com/voice', CALL)).toBe('2jSZGSvWTnx/MmkfFZ9uDbK8io4=');
  });

  it('refuses a missing signature with 403 and logs why', async () => {
    const { app, lines } = await agent();
    const res = await app.inject(post(undefined));
    expect(res.statusCode).toBe(403);
    expect(res.json().message).toBe('Missing X-Twilio-Signature');
    expect(lines.some((l) => l.level === 'warn' && l.fields.signature === 'missing' && l.fields.url === `${TEST_PUBLIC_URL}/webhook`)).toBe(true);
  });

  it('refuses a signature made with another token with 403', async () => {
    const { app } = await agent();
    const res = await app.inject(post(twilioSignature('another-token', `${TEST_PUBLIC_URL}/webhook`, CALL)));
    expect(res.statusCode).toBe(403);
    expect(res.json().message).toBe('Invalid X-Twilio-Signature');
  });

  it('refuses a signature over a tampered parameter with 403', async () => {
    const { app } = await agent();
    const res = await app.inject(post(twilioSignature(TEST_AUTH_TOKEN, `${TEST_PUBLIC_URL}/webhook`, { ...CALL, From: '+15555550101' })));
    expect(res.statusCode).toBe(403);
  });

  it('refuses a signature over the http form of the public URL with 403', async () => {
    const { app } = await agent();
    const res = await app.inject(post(twilioSignature(TEST_AUTH_TOKEN, 'http://agent.example.com/webhook', CALL)));
    expect(res.statusCode).toBe(403);
  });

  it('accepts unsigned requests when no auth token is configured', async () => {
    const { app } = await agent({ TWILIO_AUTH_TOKEN: undefined });
    const res = await app.inject(post(undefined));
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('<ConversationRelay url="wss://agent.example.com/ws"');
  });

  it('rebuilds the public URL from X-Forwarded-Proto and X-Forwarded-Host without PUBLIC_URL', async () => {
    const { app } = await agent({ PUBLIC_URL: undefined });
    const signature = twilioSignature(TEST_AUTH_TOKEN, 'https://abc.ngrok.example/webhook', CALL);
    const res = await app.inject(post(signature, { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'abc.ngrok.example', host: '127.0.0.1:8080' }));
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('action="https://abc.ngrok.example/connect-action"');
    expect(res.body).toContain('url="wss://abc.ngrok.example/ws"');
  });

  it('uses the Host header and the plain scheme when no proxy headers are present', async () => {
    const { app } = await agent({ PUBLIC_URL: undefined, TWILIO_AUTH_TOKEN: undefined });
    const res = await app.inject(post(undefined, { host: 'localhost:8080' }));
    expect(res.body).toContain('url="ws://localhost:8080/ws"');
  });

  it('keeps a path prefix of PUBLIC_URL in every URL it builds and checks', async () => {
    const { app } = await agent({ PUBLIC_URL: 'https://gw.example.com/agent/' });
    const res = await app.inject(post(twilioSignature(TEST_AUTH_TOKEN, 'https://gw.example.com/agent/webhook', CALL)));
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('url="wss://gw.example.com/agent/ws"');
  });

  it('refuses a Host header that is not a host with 400', async () => {
    const { app } = await agent({ PUBLIC_URL: undefined, TWILIO_AUTH_TOKEN: undefined });
    const res = await app.inject(post(undefined, { host: 'evil.example/path?x=' }));
    expect(res.statusCode).toBe(400);
  });

  it('answers 503 once the agent stopped accepting calls', async () => {
    const { app } = await agent();
    app.agent.stopAccepting();
    const res = await app.inject(post(twilioSignature(TEST_AUTH_TOKEN, `${TEST_PUBLIC_URL}/webhook`, CALL)));
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBe('5');
  });

  it('logs the incoming call with its CallSid', async () => {
    const { app, lines } = await agent();
    await app.inject(post(twilioSignature(TEST_AUTH_TOKEN, `${TEST_PUBLIC_URL}/webhook`, CALL)));
    const line = lines.find((l) => l.msg === 'incoming call: connecting to ConversationRelay');
    expect(line?.fields).toMatchObject({ callSid: CALL.CallSid, from: CALL.From, to: CALL.To, relayUrl: 'wss://agent.example.com/ws' });
  });
});
