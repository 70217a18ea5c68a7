import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { createFakeOpenAi, type FakeOpenAi } from './fake-openai.ts';
import type { FakeOpenAiOptions } from './fake-openai-options.ts';
import { openAiError } from './openai-error.ts';
import { nodeResponseSink } from './response-sink.ts';

/** Options for {@link buildFakeOpenAi}: the engine's options, or an engine to mount. */
export interface FakeOpenAiAppOptions extends FakeOpenAiOptions {
  /** Mount this engine instead of building one from the other options (to share history with `handle`). */
  readonly fake?: FakeOpenAi;
  /** Largest accepted body in bytes (default 32 MiB; long chat histories are big). */
  readonly bodyLimit?: number;
}

/** The Fastify app, with the engine at `app.openai` (history, script, reset). */
export type FakeOpenAiApp = FastifyInstance & { readonly openai: FakeOpenAi };

/**
 * Builds the fake OpenAI as a Fastify app serving `/v1/chat/completions`, `/v1/responses` and
 * `/v1/models`; the caller listens. Point an SDK at it with `baseURL: <url>/v1`.
 * @example
 * const app = buildFakeOpenAi({ clock, seed: 7, script: [{ when: { user: 'hi' }, reply: { text: 'Hello!' } }] });
 * const url = await app.listen({ port: 0, host: '127.0.0.1' });
 * const client = new OpenAI({ apiKey: 'sk-test', baseURL: `${url}/v1` });
 */
export function buildFakeOpenAi(options: FakeOpenAiAppOptions = {}): FakeOpenAiApp {
  const fake = options.fake ?? createFakeOpenAi(options);
  const app = Fastify({ logger: false, bodyLimit: options.bodyLimit ?? 32 * 1024 * 1024 });
  // The engine parses JSON itself so malformed bodies get OpenAI's 400, not Fastify's.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => done(null, body));
  const route = (request: FastifyRequest, reply: FastifyReply): void => {
    reply.hijack();
    const queryAt = request.url.indexOf('?');
    fake.dispatch(
      {
        method: request.method,
        path: queryAt < 0 ? request.url : request.url.slice(0, queryAt),
        headers: request.headers,
        bodyText: typeof request.body === 'string' ? request.body : undefined,
      },
      nodeResponseSink(reply.raw),
    );
  };
  app.all('/*', route);
  app.setNotFoundHandler(route);
  app.setErrorHandler((error: { statusCode?: number; message: string }, _request, reply) => {
    const failure = openAiError(error.statusCode ?? 500, error.message);
    void reply.code(failure.status).send(failure.body);
  });
  // In-flight streams would keep server.close() waiting forever on a manual clock.
  app.addHook('preClose', (done) => {
    fake.closeAll();
    done();
  });
  return app.decorate('openai', fake) as unknown as FakeOpenAiApp;
}
