import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createOpenAiLlmClient } from '../../../agent/llm/openai-llm-client.ts';
import { barrier } from '../session/session-harness.ts';
import { chunk } from './openai-sse.ts';

// No msw here: these tests use Node's own fetch over loopback, the transport the agent runs on,
// to back `fetchAbortsBodies: true` (the client then reads bodies without wrapping them).

let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

async function serve(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<string> {
  server = createServer(handler);
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server?.address() as AddressInfo).port}/v1`;
}

const event = (data: unknown): string => `data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`;

describe('createOpenAiLlmClient with Node fetch and fetchAbortsBodies', () => {
  it('streams a reply read straight from the body', async () => {
    const baseURL = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end(event(chunk({ content: 'Hi' })) + event(chunk({ content: ' there' }, 'stop')) + event('[DONE]'));
    });
    const llm = createOpenAiLlmClient({ apiKey: 'sk-test', baseURL, model: 'gpt-test', fetchAbortsBodies: true });
    const deltas = [];
    for await (const delta of llm.streamChat({ messages: [], tools: [], signal: new AbortController().signal })) deltas.push(delta);
    expect(deltas).toEqual([
      { type: 'content', text: 'Hi' },
      { type: 'content', text: ' there' },
      { type: 'finish', reason: 'stop' },
    ]);
  });

  it('an abort mid-stream throws at once and closes the HTTP stream', async () => {
    const closed = barrier();
    const baseURL = await serve((req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(event(chunk({ content: 'Hel' })));
      // The stream then stalls; only the client going away ends it.
      req.socket.once('close', closed.open);
    });
    const llm = createOpenAiLlmClient({ apiKey: 'sk-test', baseURL, model: 'gpt-test', fetchAbortsBodies: true });
    const controller = new AbortController();
    const iterator = llm.streamChat({ messages: [], tools: [], signal: controller.signal })[Symbol.asyncIterator]();
    await expect(iterator.next()).resolves.toEqual({ done: false, value: { type: 'content', text: 'Hel' } });
    const pending = iterator.next();
    controller.abort('interrupt');
    await expect(pending).rejects.toThrow(/abort/i);
    await closed.promise;
  });
});
