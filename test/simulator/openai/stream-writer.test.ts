import { describe, expect, it, vi } from 'vitest';
import { ManualClock } from '../../../simulator/core/manual-clock.ts';
import { textWritten } from '../../../simulator/openai/history.ts';
import { startFakeOpenAi } from '../../support/fake-openai-harness.ts';

const question = [{ role: 'user' as const, content: 'Opening hours?' }];

describe('writeEventStream', () => {
  it('holds the stream until firstTokenMs, then writes one content chunk every interTokenMs on the clock', async () => {
    const clock = new ManualClock();
    const { client, app } = await startFakeOpenAi({
      clock,
      script: [{ reply: { text: 'We open at nine.', chunk: 'word', firstTokenMs: 300, interTokenMs: 40 } }],
    });
    const history = app.openai.history;
    const pending = client.chat.completions.create({ model: 'gpt-4o', stream: true, messages: question });
    await vi.waitFor(() => expect(history.length).toBe(1));
    const record = history.last()!;

    await clock.advanceAsync(299);
    expect(record.chunks).toHaveLength(0);
    await clock.advanceAsync(1);
    // role chunk and the first word go out together at 300 ms
    expect(record.chunks.map((c) => [c.kind, c.atMs])).toEqual([
      ['role', 300],
      ['content', 300],
    ]);
    expect(record.firstTokenAtMs! - record.receivedAtMs).toBe(300);

    const iterator = (await pending)[Symbol.asyncIterator]();
    expect((await iterator.next()).value?.choices[0]?.delta.role).toBe('assistant');
    expect((await iterator.next()).value?.choices[0]?.delta.content).toBe('We');
    let third: string | undefined;
    const nextChunk = iterator.next().then((r) => {
      third = r.value?.choices[0]?.delta.content ?? undefined;
    });
    await clock.advanceAsync(39);
    expect(record.chunks).toHaveLength(2);
    expect(third).toBeUndefined();
    await clock.advanceAsync(1);
    await nextChunk;
    expect(third).toBe(' open');

    await clock.advanceAsync(80);
    for (let r = await iterator.next(); !r.done; r = await iterator.next());
    expect(record.chunks.map((c) => c.atMs)).toEqual([300, 300, 340, 380, 420, 420, 420]);
    expect(record.chunks.map((c) => c.kind)).toEqual(['role', 'content', 'content', 'content', 'content', 'finish', 'done']);
    expect(record.outcome).toBe('completed');
    expect(record.endedAtMs).toBe(420);
  });

  it('delays a non-streaming answer by the time streaming it would take', async () => {
    const clock = new ManualClock();
    const { client, app } = await startFakeOpenAi({ clock, script: [{ reply: { text: 'a b c', chunk: 'word', firstTokenMs: 100, interTokenMs: 10 } }] });
    let content: string | null | undefined;
    const done = client.chat.completions.create({ model: 'm', messages: question }).then((c) => {
      content = c.choices[0]?.message.content;
    });
    await vi.waitFor(() => expect(app.openai.history.length).toBe(1));
    await clock.advanceAsync(119);
    expect(app.openai.history.last()?.status).toBeNull();
    await clock.advanceAsync(1);
    await done;
    expect(content).toBe('a b c');
    expect(app.openai.history.last()?.firstTokenAtMs).toBe(120);
  });

  it('cuts the socket after N chunks without [DONE], and the SDK throws', async () => {
    const { client, app } = await startFakeOpenAi({ script: [{ reply: { text: 'This answer never finishes properly.', chunk: 'word', cutAfterChunks: 3 } }] });
    const received: string[] = [];
    const consume = async (): Promise<void> => {
      for await (const chunk of await client.chat.completions.create({ model: 'm', stream: true, messages: question })) {
        received.push(chunk.choices[0]?.delta.content ?? '');
      }
    };
    await expect(consume()).rejects.toThrow();
    const record = app.openai.history.last()!;
    expect(record.outcome).toBe('cut');
    expect(record.chunks.map((c) => c.kind)).toEqual(['role', 'content', 'content']);
    expect(textWritten(record)).toBe('This answer');
    expect(received.join('')).toBe(textWritten(record));
  });

  it('records only the chunks written before the agent aborted, and stops its timers', async () => {
    const clock = new ManualClock();
    const { client, app } = await startFakeOpenAi({
      clock,
      script: [{ reply: { text: 'one two three four five six', chunk: 'word', firstTokenMs: 50, interTokenMs: 20 } }],
    });
    const controller = new AbortController();
    const pending = client.chat.completions.create({ model: 'm', stream: true, messages: question }, { signal: controller.signal });
    await vi.waitFor(() => expect(app.openai.history.length).toBe(1));
    const record = app.openai.history.last()!;
    await clock.advanceAsync(90);
    const iterator = (await pending)[Symbol.asyncIterator]();
    const seen: string[] = [];
    for (let i = 0; i < 4; i++) seen.push((await iterator.next()).value?.choices[0]?.delta.content ?? '');
    expect(seen.join('')).toBe('one two three');

    controller.abort();
    await vi.waitFor(() => expect(record.outcome).toBe('client-closed'));
    await clock.advanceAsync(1_000);
    expect(textWritten(record)).toBe('one two three');
    expect(record.chunks).toHaveLength(4);
    expect(record.endedAtMs).toBe(90);
    expect(clock.pendingTimers).toBe(0);
  });

  it('notices a client that leaves before the first token', async () => {
    const clock = new ManualClock();
    const { client, app } = await startFakeOpenAi({ clock, script: [{ reply: { text: 'late', firstTokenMs: 1_000 } }] });
    const controller = new AbortController();
    const pending = client.chat.completions.create({ model: 'm', stream: true, messages: question }, { signal: controller.signal });
    await vi.waitFor(() => expect(app.openai.history.length).toBe(1));
    controller.abort();
    await expect(pending).rejects.toThrow(/abort/i);
    await vi.waitFor(() => expect(app.openai.history.last()?.outcome).toBe('client-closed'));
    expect(clock.pendingTimers).toBe(0);
  });

  it('drops streams still in flight when the app closes', async () => {
    const clock = new ManualClock();
    const { client, app } = await startFakeOpenAi({ clock, script: [{ reply: { text: 'never', firstTokenMs: 1_000 } }] });
    const pending = client.chat.completions.create({ model: 'm', stream: true, messages: question });
    await vi.waitFor(() => expect(app.openai.history.length).toBe(1));
    await app.close();
    await expect(pending).rejects.toThrow();
    expect(app.openai.history.last()?.outcome).toBe('server-closed');
  });
});
