/**
 * An embedded-agent module (handed to the runner by URL, like `agent/embed.ts`) for a reference
 * agent that wrongly retries a refused export: a proxy in front of `COVAL_TRACES_URL` turns every
 * 400 into a 503 with `Retry-After: <RELAYSIM_TEST_RETRY_400_AFTER_S>`, so the agent's own
 * exporter re-sends the batch that Coval refused for good, after that many seconds.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type EmbeddedAgent, startEmbeddedAgent as startReference } from '../../agent/embed.ts';

/** The variable giving the retry delay in seconds; the agent's own configuration ignores it. */
export const RETRY_400_AFTER_ENV = 'RELAYSIM_TEST_RETRY_400_AFTER_S';

const HOP_HEADERS = new Set(['host', 'content-length', 'connection', 'transfer-encoding']);

async function bodyOf(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Starts the reference agent behind the retry-forcing proxy. */
export async function startEmbeddedAgent(options: { readonly env: Readonly<Record<string, string | undefined>> }): Promise<EmbeddedAgent> {
  const target = options.env.COVAL_TRACES_URL;
  const retryAfter = options.env[RETRY_400_AFTER_ENV] ?? '0';
  if (target === undefined) throw new Error('COVAL_TRACES_URL is required');
  const proxy = createServer((request, response) => {
    void (async () => {
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(request.headers)) if (v !== undefined && !HOP_HEADERS.has(k)) headers[k] = Array.isArray(v) ? v.join(', ') : v;
      const body = await bodyOf(request);
      try {
        const upstream = await fetch(target, { method: request.method ?? 'POST', headers, body });
        const text = Buffer.from(await upstream.arrayBuffer());
        const refused = upstream.status === 400;
        response.writeHead(refused ? 503 : upstream.status, {
          'content-type': upstream.headers.get('content-type') ?? 'application/json',
          ...(refused ? { 'retry-after': retryAfter } : {}),
        });
        response.end(text);
      } catch {
        response.destroy();
      }
    })();
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const port = (proxy.address() as AddressInfo).port;
  const agent = await startReference({ env: { ...options.env, COVAL_TRACES_URL: `http://127.0.0.1:${port}/v1/traces` } });
  return {
    ...agent,
    logTail: () => agent.logTail(),
    async close() {
      await agent.close();
      await new Promise<void>((resolve) => proxy.close(() => resolve()));
    },
  };
}
