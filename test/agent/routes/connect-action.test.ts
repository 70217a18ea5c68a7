import { describe, expect, it, onTestFinished } from 'vitest';
import { buildTestAgent, formPayload, TEST_AUTH_TOKEN } from '../../support/agent-fakes.ts';

const SID = (prefix: string): string => `${prefix}${'0'.repeat(31)}1`;
// The worked example of conversationrelay.md §3.4 (signature computed there, not here).
const ENDED = {
  AccountSid: SID('AC'),
  CallSid: SID('CA'),
  CallStatus: 'in-progress',
  Direction: 'inbound',
  From: '+15555550100',
  HandoffData: '{"reason":"agent"}',
  SessionDuration: '25',
  SessionId: SID('VX'),
  SessionStatus: 'ended',
  To: '+15555550199',
};
const ENDED_SIGNATURE = 'jIEzrg4vQx1PZQWSNOFOx4ocxdI=';

async function agent(env: Record<string, string | undefined> = {}) {
  const built = buildTestAgent({ PUBLIC_URL: 'https://example.com', ...env });
  onTestFinished(() => built.app.close());
  await built.app.ready();
  return built;
}

function post(params: Record<string, string>, signature?: string) {
  const form = formPayload(params);
  return {
    method: 'POST' as const,
    url: '/connect-action',
    payload: form.payload,
    headers: { ...form.headers, ...(signature === undefined ? {} : { 'x-twilio-signature': signature }) },
  };
}

describe('POST /connect-action', () => {
  it('answers Hangup TwiML to the signed worked example of the protocol reference', async () => {
    const { app } = await agent();
    const res = await app.inject(post(ENDED, ENDED_SIGNATURE));
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/xml/);
    expect(res.body).toBe('<?xml version="1.0" encoding="UTF-8"?><Response><Hangup/></Response>');
  });

  it('logs SessionStatus, HandoffData and the CallSid', async () => {
    const { app, lines } = await agent();
    await app.inject(post(ENDED, ENDED_SIGNATURE));
    const line = lines.find((l) => l.msg === 'relay session ended');
    expect(line?.level).toBe('info');
    expect(line?.fields).toMatchObject({ callSid: ENDED.CallSid, SessionStatus: 'ended', HandoffData: '{"reason":"agent"}', SessionDuration: '25' });
  });

  it('logs a failed session at warn level with its error', async () => {
    const { app, lines } = await agent({ TWILIO_AUTH_TOKEN: undefined });
    await app.inject(post({ CallSid: 'CA1', SessionStatus: 'failed', ErrorCode: '39001', ErrorMessage: 'Network connection to WebSocket server failed.' }));
    const line = lines.find((l) => l.msg === 'relay session failed');
    expect(line?.level).toBe('warn');
    expect(line?.fields).toMatchObject({ callSid: 'CA1', ErrorCode: '39001' });
  });

  it('refuses a missing signature with 403', async () => {
    const { app } = await agent();
    expect((await app.inject(post(ENDED))).statusCode).toBe(403);
  });

  it('refuses the worked signature when a parameter was changed', async () => {
    const { app } = await agent();
    expect((await app.inject(post({ ...ENDED, SessionStatus: 'completed' }, ENDED_SIGNATURE))).statusCode).toBe(403);
  });

  it('refuses the worked signature under another auth token', async () => {
    const { app } = await agent({ TWILIO_AUTH_TOKEN: `${TEST_AUTH_TOKEN}x` });
    expect((await app.inject(post(ENDED, ENDED_SIGNATURE))).statusCode).toBe(403);
  });
});
