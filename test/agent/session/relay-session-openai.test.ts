import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createOpenAiLlmClient } from '../../../agent/llm/openai-llm-client.ts';
import { APOLOGY_TEXT } from '../../../agent/session/relay-session.ts';
import { chunk, sse, usageChunk } from '../llm/openai-sse.ts';
import { barrier, createHarness, frames } from './session-harness.ts';

/*
 * The session driving the real OpenAI SDK against an msw-mocked `/chat/completions` SSE endpoint:
 * proves the streaming, tool and abort paths end to end, not just against the scripted client.
 */

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const llm = () => createOpenAiLlmClient({ apiKey: 'sk-test', baseURL: 'http://llm.test/v1', model: 'gpt-test' });

/** Waits (turn by turn of the event loop, no timers) until `condition` holds. */
async function until(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 10_000; i++) {
    if (condition()) return;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  throw new Error(`gave up waiting for ${what}`);
}

interface RequestBody {
  messages: Array<{ role: string; content: string | null; tool_calls?: unknown[]; tool_call_id?: string }>;
}

describe('relay session over the OpenAI SDK', () => {
  it('streams tokens, runs a tool round and sends one last:true', async () => {
    const bodies: RequestBody[] = [];
    server.use(
      http.post('*/chat/completions', async ({ request }) => {
        bodies.push((await request.json()) as RequestBody);
        if (bodies.length === 1) {
          return sse([
            chunk({ role: 'assistant', content: 'One moment. ' }),
            chunk({ tool_calls: [{ index: 0, id: 'call_lab', type: 'function', function: { name: 'get_lab_results', arguments: '{"patient_' } }] }),
            chunk({ tool_calls: [{ index: 0, function: { arguments: 'name":"Ana Li"}' } }] }),
            chunk({}, 'tool_calls'),
            usageChunk(50, 9),
            '[DONE]',
          ]);
        }
        return sse([chunk({ content: 'The lab portal ' }), chunk({ content: 'is down.' }), chunk({}, 'stop'), '[DONE]']);
      }),
    );
    const h = createHarness({ llm: llm() });
    h.feed(frames.setup());
    h.feed(frames.prompt('Lab results for Ana Li'));
    await h.session.whenIdle();
    expect(h.tokens()).toEqual(['One moment. ', 'The lab portal ', 'is down.', '']);
    expect(bodies[1]?.messages.slice(-2)).toMatchObject([
      { role: 'assistant', content: 'One moment. ', tool_calls: [{ id: 'call_lab', function: { name: 'get_lab_results', arguments: '{"patient_name":"Ana Li"}' } }] },
      { role: 'tool', tool_call_id: 'call_lab' },
    ]);
    const log = await h.session.close();
    expect(log.events.filter((e) => e.kind === 'assistant').map((e) => e.usage)).toEqual([{ inputTokens: 50, outputTokens: 9 }, undefined]);
    expect(log.events.find((e) => e.kind === 'tool')).toMatchObject({ name: 'get_lab_results', error: expect.stringMatching(/SERVICE_UNAVAILABLE/) });
  });

  it('an interrupt aborts the HTTP stream: nothing more is sent and the next request carries the truncated turn', async () => {
    const stall = barrier();
    const bodies: RequestBody[] = [];
    server.use(
      http.post('*/chat/completions', async ({ request }) => {
        bodies.push((await request.json()) as RequestBody);
        if (bodies.length === 1) return sse([chunk({ content: 'Your appointment ' }), chunk({ content: 'is on ' }), stall.promise, chunk({ content: 'Wednesday.' }), '[DONE]']);
        return sse([chunk({ content: 'Okay.' }), chunk({}, 'stop'), '[DONE]']);
      }),
    );
    const h = createHarness({ llm: llm() });
    h.feed(frames.setup());
    h.feed(frames.prompt('When?'));
    await until(() => h.sent.length === 2, 'the first two tokens');
    h.feed(frames.interrupt('Your appointment is', 1200));
    await h.session.whenIdle();
    stall.open();
    expect(h.tokens()).toEqual(['Your appointment ', 'is on ']);
    expect(h.lastCount()).toBe(0);
    h.feed(frames.prompt('Never mind'));
    await h.session.whenIdle();
    expect(h.tokens()).toEqual(['Your appointment ', 'is on ', 'Okay.', '']);
    expect(bodies[1]?.messages.slice(-2)).toEqual([
      { role: 'assistant', content: 'Your appointment is' },
      { role: 'user', content: 'Never mind' },
    ]);
  });

  it('an HTTP 500 from the LLM gives the spoken apology and an error turn', async () => {
    server.use(http.post('*/chat/completions', () => HttpResponse.json({ error: { message: 'boom', type: 'server_error' } }, { status: 500 })));
    const h = createHarness({ llm: llm() });
    h.feed(frames.setup());
    h.feed(frames.prompt('Hello'));
    await h.session.whenIdle();
    expect(h.tokens()).toEqual([APOLOGY_TEXT, '']);
    const log = await h.session.close();
    expect(log.events.at(-1)).toMatchObject({ kind: 'assistant', error: expect.stringMatching(/500/) });
  });
});
