import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, onTestFinished } from 'vitest';
import { connectSocket, probeSocket, spokenSse, toolCallSse, twilioSignature, within } from '../support/agent-fakes.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const TOKEN = 'e2e_auth_token';
const COVAL_KEY = 'e2e-coval-key';
const PUBLIC_URL = 'https://agent.e2e.test';
const CALLER = '+15550100001';
const AGENT_NUMBER = '+15550100999';
const ANSWER = 'Your next appointment is on Monday at nine.';
const WAIT_MS = 10_000;

interface Recorded {
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** A loopback HTTP stub that records every request and answers with `answer`. */
async function startStub(answer: (req: Recorded, seen: readonly Recorded[]) => { status: number; type: string; body: string }) {
  const requests: Recorded[] = [];
  let notify: () => void = () => {};
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const recorded = { url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      requests.push(recorded);
      const reply = answer(recorded, requests);
      res.writeHead(reply.status, { 'content-type': reply.type });
      res.end(reply.body);
      notify();
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  /** Resolves once `n` requests were recorded. */
  const received = (n: number, what: string): Promise<void> =>
    within(
      new Promise<void>((resolve) => {
        const check = (): void => {
          if (requests.length >= n) resolve();
          else notify = check;
        };
        check();
      }),
      WAIT_MS,
      what,
    );
  return { origin, requests, received };
}

/**
 * The agent started exactly as the README says, `npm run agent`, configured only by environment
 * variables (plus the PATH and HOME npm itself needs): its JSON log lines, a way to await one, and
 * its exit. Signals go to npm, which must pass them on to the agent.
 */
function spawnAgent(env: Record<string, string>) {
  const npmEnv = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env };
  const child: ChildProcessWithoutNullStreams = spawn('npm', ['run', '--silent', 'agent'], { cwd: ROOT, env: npmEnv, stdio: 'pipe' });
  onTestFinished(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  const lines: Array<Record<string, unknown>> = [];
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => {
    stderr += c.toString();
  });
  let waiters: Array<() => void> = [];
  createInterface({ input: child.stdout }).on('line', (line) => {
    try {
      lines.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      lines.push({ msg: line });
    }
    const current = waiters;
    waiters = [];
    for (const w of current) w();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const line = (msg: string): Promise<Record<string, unknown>> =>
    within(
      new Promise<Record<string, unknown>>((resolve, reject) => {
        const check = (): void => {
          const found = lines.find((l) => l.msg === msg);
          if (found) resolve(found);
          else if (child.exitCode !== null) reject(new Error(`agent exited (${child.exitCode}) before logging '${msg}': ${stderr}`));
          else waiters.push(check);
        };
        check();
        void exited.then(check);
      }),
      WAIT_MS,
      `the agent to log '${msg}'`,
    );
  return { child, lines, line, exited, stderr: () => stderr };
}

interface OtlpSpan {
  readonly name: string;
  readonly attributes?: { key: string; value: Record<string, unknown> }[];
}

function spansOf(body: string): OtlpSpan[] {
  const request = JSON.parse(body) as { resourceSpans: { scopeSpans: { spans: OtlpSpan[] }[] }[] };
  return request.resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans));
}

describe('the agent process over real sockets', () => {
  it('registers, answers a signed call, runs a tool, takes an interrupt and exports exactly one trace to Coval', async () => {
    const llm = await startStub((req, seen) => {
      const messages = (JSON.parse(req.body) as { messages: { role: string }[] }).messages;
      const afterTool = messages.at(-1)?.role === 'tool';
      expect(seen.length).toBeLessThanOrEqual(2);
      return { status: 200, type: 'text/event-stream', body: afterTool ? spokenSse(ANSWER) : toolCallSse('call_e2e_1', 'lookup_appointment', '{}') };
    });
    const coval = await startStub(() => ({ status: 200, type: 'application/json', body: '{}' }));

    const agent = spawnAgent({
      PORT: '0',
      HOST: '127.0.0.1',
      PUBLIC_URL,
      OPENAI_API_KEY: 'sk-e2e',
      OPENAI_BASE_URL: `${llm.origin}/v1`,
      COVAL_API_KEY: COVAL_KEY,
      COVAL_TRACES_URL: `${coval.origin}/v1/traces`,
      TWILIO_AUTH_TOKEN: TOKEN,
      LOG_LEVEL: 'debug',
      SHUTDOWN_GRACE_SECONDS: '5',
    });
    const listening = await agent.line('agent listening');
    expect(listening).toMatchObject({ signaturesEnforced: true, exportsEnabled: true });
    const origin = `http://127.0.0.1:${String(listening.port)}`;

    // 1. Coval registers the simulation before dialing.
    const registered = await fetch(`${origin}/register-simulation`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': COVAL_KEY },
      body: JSON.stringify({ simulation_output_id: 'sim-e2e-1', from_number: CALLER, to_number: AGENT_NUMBER }),
    });
    expect(await registered.json()).toEqual({ status: 'ok', queued: 1 });

    // 2. Twilio's signed voice webhook; an unsigned one is refused.
    const callParams = { AccountSid: `AC${'0'.repeat(32)}`, CallSid: 'CAe2e0001', CallStatus: 'ringing', Direction: 'inbound', From: CALLER, To: AGENT_NUMBER };
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    const unsigned = await fetch(`${origin}/webhook`, { method: 'POST', headers: form, body: new URLSearchParams(callParams) });
    expect(unsigned.status).toBe(403);
    const webhook = await fetch(`${origin}/webhook`, {
      method: 'POST',
      headers: { ...form, 'x-twilio-signature': twilioSignature(TOKEN, `${PUBLIC_URL}/webhook`, callParams) },
      body: new URLSearchParams(callParams),
    });
    expect(webhook.status).toBe(200);
    const twiml = await webhook.text();
    const relayUrl = /<ConversationRelay url="([^"]+)"/.exec(twiml)?.[1];
    expect(relayUrl).toBe('wss://agent.e2e.test/ws');

    // 3. The signed WebSocket handshake over the wss:// URL (the TLS proxy is played by loopback).
    const socketUrl = `${origin.replace('http', 'ws')}${new URL(relayUrl ?? '').pathname}`;
    await expect(connectSocket(socketUrl)).rejects.toThrow('Unexpected server response: 403');
    const ws = await connectSocket(socketUrl, { 'x-twilio-signature': twilioSignature(TOKEN, relayUrl ?? '') });
    const twilio = probeSocket(ws);

    // 4. setup -> prompt -> tool call -> spoken answer.
    ws.send(JSON.stringify({ type: 'setup', sessionId: 'VXe2e0001', accountSid: callParams.AccountSid, callSid: callParams.CallSid, from: CALLER, to: AGENT_NUMBER, direction: 'inbound', callType: 'PSTN', customParameters: {} }));
    ws.send(JSON.stringify({ type: 'prompt', voicePrompt: 'When is my next appointment?', lang: 'en-US', last: true }));
    const tokens: string[] = [];
    for (let n = 1; ; n++) {
      const frame = JSON.parse(await twilio.nth(n, `text frame #${n}`)) as { type: string; token: string; last: boolean };
      expect(frame.type).toBe('text');
      tokens.push(frame.token);
      if (frame.last) break;
    }
    expect(tokens.join('')).toBe(ANSWER);
    expect(llm.requests).toHaveLength(2);
    const secondRequest = JSON.parse(llm.requests[1]?.body ?? '{}') as { messages: { role: string; content?: string; tool_call_id?: string }[] };
    expect(secondRequest.messages.find((m) => m.role === 'tool')).toMatchObject({ tool_call_id: 'call_e2e_1' });

    // 5. The caller barges in while the answer plays, then hangs up.
    ws.send(JSON.stringify({ type: 'interrupt', utteranceUntilInterrupt: 'Your next appointment', durationUntilInterruptMs: 1200 }));
    ws.close(1000);
    expect((await within(twilio.closed, WAIT_MS, 'the socket to close')).code).toBe(1000);

    // 6. Exactly one OTLP/JSON batch reaches Coval, with the simulation id and key.
    await coval.received(1, 'the trace POST to the Coval stub');
    await agent.line('trace delivered to Coval');
    const connectAction = { CallSid: callParams.CallSid, SessionStatus: 'completed', CallStatus: 'completed', SessionDuration: '3' };
    const hangup = await fetch(`${origin}/connect-action`, {
      method: 'POST',
      headers: { ...form, 'x-twilio-signature': twilioSignature(TOKEN, `${PUBLIC_URL}/connect-action`, connectAction) },
      body: new URLSearchParams(connectAction),
    });
    expect(await hangup.text()).toContain('<Hangup/>');

    agent.child.kill('SIGTERM');
    expect(await within(agent.exited, WAIT_MS, 'the agent to exit after SIGTERM')).toBe(0);
    expect(agent.lines.some((l) => l.msg === 'agent stopped')).toBe(true);

    expect(coval.requests).toHaveLength(1);
    const post = coval.requests[0];
    expect(post?.url).toBe('/v1/traces');
    expect(post?.headers['x-simulation-id']).toBe('sim-e2e-1');
    expect(post?.headers['x-api-key']).toBe(COVAL_KEY);
    expect(post?.headers['content-type']).toMatch(/^application\/json/);
    const spans = spansOf(post?.body ?? '{}');
    const names = spans.map((span) => span.name);
    for (const name of ['conversation', 'stt', 'llm', 'tts', 'tool_call']) expect(names, name).toContain(name);
    expect(names.filter((n) => n === 'conversation')).toHaveLength(1);
    // The barge-in reached the trace: the answering llm span is marked interrupted.
    const interrupted = spans.filter((span) => span.attributes?.some((a) => a.key === 'llm.interrupted' && a.value.boolValue === true));
    expect(interrupted.map((span) => span.name)).toEqual(['llm']);

    // Every line about the call carries its CallSid; the claim names the simulation id.
    const callLines = agent.lines.filter((l) => l.callSid === callParams.CallSid);
    expect(callLines.length).toBeGreaterThan(3);
    expect(callLines.some((l) => l.simulationOutputId === 'sim-e2e-1')).toBe(true);
  });
});
