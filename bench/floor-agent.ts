// The "floor" for `npm run bench`: the least a ConversationRelay agent can do and still pass a
// load call. It speaks the same HTTP/WebSocket protocol as the reference agent (registration, voice
// webhook TwiML, the relay socket, the action callback, one OTLP/JSON batch per call) but has no
// logic: each prompt is sent to the LLM and every streamed chunk goes straight back as a `text`
// frame. No signature checks, no registry bounds, no logging, no retries. Comparing the reference
// agent with it separates what the agent adds from what loopback and the kit cost.
//
// Embedded: import(url).startEmbeddedAgent({env}). As a process: `npx node bench/floor-agent.ts`
// with PORT, HOST, PUBLIC_URL, OPENAI_BASE_URL, OPENAI_API_KEY, COVAL_TRACES_URL, COVAL_API_KEY.
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

/** A running floor agent (the shape the kit's embedded target expects). */
export interface FloorAgent {
  readonly baseUrl: string;
  close(): Promise<void>;
}

function body(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => resolve(Buffer.concat(parts).toString('utf8')));
    req.on('error', reject);
  });
}

const hex = (bytes: number): string => randomBytes(bytes).toString('hex');

function otlpBatch(prompts: readonly { text: string; atNs: bigint }[]): string {
  const traceId = hex(16);
  const spans = prompts.map((p) => ({
    traceId,
    spanId: hex(8),
    name: 'stt',
    kind: 1,
    startTimeUnixNano: String(p.atNs),
    endTimeUnixNano: String(p.atNs + 1_000_000n),
    attributes: [{ key: 'stt.transcription', value: { stringValue: p.text } }],
    status: {},
  }));
  return JSON.stringify({
    resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'floor-agent' } }] }, scopeSpans: [{ scope: { name: 'floor' }, spans }] }],
  });
}

/** Starts the floor agent on `env.HOST`:`env.PORT` (default 127.0.0.1:0). */
export async function startEmbeddedAgent(options: { readonly env: Readonly<Record<string, string | undefined>> }): Promise<FloorAgent> {
  const env = options.env;
  const llmUrl = `${(env.OPENAI_BASE_URL ?? 'http://127.0.0.1:4010/v1').replace(/\/+$/, '')}/chat/completions`;
  const llmKey = env.OPENAI_API_KEY ?? 'sk-floor';
  const tracesUrl = env.COVAL_TRACES_URL ?? 'http://127.0.0.1:4011/v1/traces';
  const covalKey = env.COVAL_API_KEY ?? '';
  const pending = new Map<string, string>();
  const fifo: string[] = [];

  const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const text = await body(req);
    const path = (req.url ?? '/').split('?')[0];
    const publicUrl = env.PUBLIC_URL ?? `http://${req.headers.host ?? '127.0.0.1'}`;
    if (req.method === 'POST' && path === '/register-simulation') {
      const payload = JSON.parse(text) as { simulation_output_id: string; from_number?: string };
      if (payload.from_number) pending.set(payload.from_number, payload.simulation_output_id);
      else fifo.push(payload.simulation_output_id);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
    } else if (req.method === 'POST' && path === '/webhook') {
      const wss = publicUrl.replace(/^http/, 'ws');
      res
        .writeHead(200, { 'content-type': 'text/xml' })
        .end(`<?xml version="1.0" encoding="UTF-8"?><Response><Connect action="${publicUrl}/connect-action"><ConversationRelay url="${wss}/ws" welcomeGreeting="Hi"/></Connect></Response>`);
    } else if (req.method === 'POST' && path === '/connect-action') {
      res.writeHead(200, { 'content-type': 'text/xml' }).end('<Response><Hangup/></Response>');
    } else if (path === '/health') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
    } else {
      res.writeHead(404).end();
    }
  });

  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
  server.on('upgrade', (req, socket, head) => wss.handleUpgrade(req, socket, head, (ws) => relay(ws)));

  function relay(ws: WebSocket): void {
    let simulationId: string | undefined;
    const prompts: { text: string; atNs: bigint }[] = [];
    ws.on('message', async (data) => {
      const frame = JSON.parse(String(data)) as { type: string; from?: string; voicePrompt?: string; last?: boolean };
      if (frame.type === 'setup') {
        simulationId = (frame.from && pending.get(frame.from)) || fifo.shift();
        if (frame.from) pending.delete(frame.from);
        return;
      }
      if (frame.type !== 'prompt' || frame.last !== true || frame.voicePrompt === undefined) return;
      prompts.push({ text: frame.voicePrompt, atNs: process.hrtime.bigint() });
      const res = await fetch(llmUrl, {
        method: 'POST',
        headers: { authorization: `Bearer ${llmKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: frame.voicePrompt }] }),
      });
      const decoder = new TextDecoder();
      let buffered = '';
      for await (const bytes of res.body as AsyncIterable<Uint8Array>) {
        buffered += decoder.decode(bytes, { stream: true });
        let end: number;
        while ((end = buffered.indexOf('\n\n')) >= 0) {
          const event = buffered.slice(0, end);
          buffered = buffered.slice(end + 2);
          if (!event.startsWith('data: ')) continue;
          const data = event.slice(6);
          if (data === '[DONE]') {
            ws.send('{"type":"text","token":"","last":true}');
            continue;
          }
          const token = (JSON.parse(data) as { choices: { delta?: { content?: string } }[] }).choices[0]?.delta?.content;
          if (token) ws.send(JSON.stringify({ type: 'text', token, last: false }));
        }
      }
    });
    ws.on('close', () => {
      if (simulationId === undefined) return;
      const wallNs = BigInt(Date.now()) * 1_000_000n;
      const t0 = process.hrtime.bigint();
      const stamped = prompts.map((p) => ({ text: p.text, atNs: wallNs - (t0 - p.atNs) }));
      fetch(tracesUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': covalKey, 'x-simulation-id': simulationId },
        body: otlpBatch(stamped),
      })
        .then((r) => r.arrayBuffer())
        .catch(() => undefined);
    });
  }

  await new Promise<void>((resolve) => server.listen(Number(env.PORT ?? 0), env.HOST ?? '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    baseUrl: `http://${env.HOST ?? '127.0.0.1'}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of wss.clients) client.terminate();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const agent = await startEmbeddedAgent({ env: process.env });
  process.stdout.write(`floor agent listening on ${agent.baseUrl}\n`);
  const stop = (): void => void agent.close().then(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}
