import OpenAI from 'openai';
import { onTestFinished } from 'vitest';
import { buildFakeOpenAi, type FakeOpenAiApp, type FakeOpenAiAppOptions } from '../../simulator/openai/fake-openai-app.ts';

/** A fake OpenAI listening on loopback and a real SDK client pointed at it; closed when the test ends. */
export interface FakeOpenAiHarness {
  readonly app: FakeOpenAiApp;
  readonly url: string;
  readonly client: OpenAI;
}

/** Starts the fake on 127.0.0.1:0 and builds an `openai` client (no retries unless asked). */
export async function startFakeOpenAi(options: FakeOpenAiAppOptions = {}, maxRetries = 0): Promise<FakeOpenAiHarness> {
  const app = buildFakeOpenAi(options);
  onTestFinished(() => app.close());
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  const client = new OpenAI({ apiKey: 'sk-test-key-123456', baseURL: `${url}/v1`, maxRetries });
  return { app, url, client };
}
