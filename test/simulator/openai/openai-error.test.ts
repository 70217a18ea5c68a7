import { APIConnectionError, InternalServerError, RateLimitError } from 'openai';
import { describe, expect, it, vi } from 'vitest';
import { ManualClock } from '../../../simulator/core/manual-clock.ts';
import { incorrectApiKeyError } from '../../../simulator/openai/openai-error.ts';
import { startFakeOpenAi } from '../../support/fake-openai-harness.ts';

const messages = [{ role: 'user' as const, content: 'Hello?' }];

describe('scripted errors', () => {
  it('answers 429 with Retry-After and OpenAI rate-limit wording before any stream', async () => {
    const { client, app } = await startFakeOpenAi({ script: [{ reply: { error: { status: 429, retryAfterS: 2 } } }] });
    const error = await client.chat.completions.create({ model: 'gpt-4o', stream: true, messages }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(RateLimitError);
    const rateLimit = error as RateLimitError;
    expect(rateLimit.status).toBe(429);
    expect(rateLimit.headers.get('retry-after')).toBe('2');
    expect(rateLimit.error).toMatchObject({ type: 'requests', code: 'rate_limit_exceeded', message: expect.stringContaining('Rate limit reached for gpt-4o') });
    expect(app.openai.history.last()).toMatchObject({ status: 429, outcome: 'http-error', match: { kind: 'rule' }, chunks: [] });
  });

  it('lets the SDK retry a 429 once and then stream the next rule', async () => {
    const { client, app } = await startFakeOpenAi(
      {
        script: [
          { id: 'busy', times: 1, reply: { error: { status: 429, retryAfterMs: 1 } } },
          { id: 'ok', reply: { text: 'Back.' } },
        ],
      },
      1,
    );
    const completion = await client.chat.completions.create({ model: 'gpt-4o', messages });

    expect(completion.choices[0]?.message.content).toBe('Back.');
    expect(app.openai.history.calls().map((r) => [r.status, r.match?.kind === 'rule' && r.match.ruleId])).toEqual([
      [429, 'busy'],
      [200, 'ok'],
    ]);
    expect(app.openai.history.nth(2)?.headers['x-stainless-retry-count']).toBe('1');
  });

  it('answers 500 with server_error', async () => {
    const { client } = await startFakeOpenAi({ script: [{ reply: { error: { status: 500 } } }] });
    const error = await client.chat.completions.create({ model: 'gpt-4o', messages }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InternalServerError);
    expect((error as InternalServerError).error).toEqual({
      message: 'The server had an error while processing your request. Sorry about that!',
      type: 'server_error',
      param: null,
      code: null,
    });
  });

  it('sends the error only after firstTokenMs', async () => {
    const clock = new ManualClock();
    const { client, app } = await startFakeOpenAi({ clock, script: [{ reply: { error: { status: 503, message: 'slow down' }, firstTokenMs: 200 } }] });
    const call = client.chat.completions.create({ model: 'gpt-4o', messages }).catch((e: unknown) => e);
    await vi.waitFor(() => expect(app.openai.history.length).toBe(1));
    await clock.advanceAsync(199);
    expect(app.openai.history.last()?.status).toBeNull();
    await clock.advanceAsync(1);
    expect(await call).toMatchObject({ status: 503, error: { message: 'slow down' } });
    expect(app.openai.history.last()?.endedAtMs).toBe(200);
  });

  it('drops the connection of a non-streaming request scripted with a cut', async () => {
    const { client } = await startFakeOpenAi({ script: [{ reply: { text: 'x', cutAfterChunks: 0 } }] });
    await expect(client.chat.completions.create({ model: 'gpt-4o', messages })).rejects.toBeInstanceOf(APIConnectionError);
  });

  it('masks the refused key like OpenAI', () => {
    expect(incorrectApiKeyError('sk-abcdefghijklmnop').body.error.message).toContain('sk-*************mnop');
  });
});
