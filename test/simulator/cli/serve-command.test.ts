import { createServer } from 'node:net';
import { describe, expect, it, onTestFinished } from 'vitest';
import { findFreePort } from '../../../simulator/agent-target/free-port.ts';
import type { CliIo } from '../../../simulator/cli/cli-command.ts';
import { serveCommand } from '../../../simulator/cli/serve-command.ts';
import { encodeOtlpJson } from '../../../simulator/otlp/encode-json.ts';
import { covalCall } from '../../support/otlp-fixtures.ts';
import { tempFiles } from './cli-test-io.ts';

/** Io whose stdout can be awaited for a pattern (the command prints as requests arrive). */
function liveIo(cwd: string, signal?: AbortSignal) {
  let out = '';
  let err = '';
  const waiters: { re: RegExp; resolve: () => void }[] = [];
  const io: CliIo = {
    stdout: {
      write: (s: string) => {
        out += s;
        for (const w of waiters.filter((x) => x.re.test(out))) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve();
        }
        return true;
      },
    },
    stderr: { write: (s: string) => (err += s) },
    stdin: (async function* () {})(),
    env: {},
    cwd,
    ...(signal === undefined ? {} : { signal }),
  };
  const printed = (re: RegExp): Promise<void> => (re.test(out) ? Promise.resolve() : new Promise((resolve) => waiters.push({ re, resolve })));
  return { io, stdout: () => out, stderr: () => err, printed };
}

describe('relaysim serve', () => {
  it('--print-env prints the agent environment for the default ports and exits without listening', async () => {
    const { io, stdout } = liveIo('/');
    expect(await serveCommand.run(['--print-env'], io)).toBe(0);
    expect(stdout()).toBe(
      [
        'PORT=8080',
        'PUBLIC_URL=https://127.0.0.1:8080',
        'OPENAI_BASE_URL=http://127.0.0.1:4010/v1',
        'OPENAI_API_KEY=sk-relaysim-fake',
        'COVAL_TRACES_URL=http://127.0.0.1:4011/v1/traces',
        'COVAL_API_KEY=relaysim-coval-key',
        'TWILIO_AUTH_TOKEN=relaysim-twilio-auth-token',
        '',
      ].join('\n'),
    );
    const custom = liveIo('/');
    await serveCommand.run(['--print-env', '--openai-port', '5000', '--coval-port', '5001', '--agent-url', 'http://127.0.0.1:9000'], custom.io);
    expect(custom.stdout()).toContain('PORT=9000\nPUBLIC_URL=https://127.0.0.1:9000\nOPENAI_BASE_URL=http://127.0.0.1:5000/v1');
    expect(custom.stdout()).toContain('COVAL_TRACES_URL=http://127.0.0.1:5001/v1/traces');
  });

  it.each([
    [['--openai-port', 'x'], '--openai-port must be a port'],
    [['--coval-port', '0'], '--coval-port must be a port'],
    [['--openai-port', '5000', '--coval-port', '5000'], 'must differ'],
    [['--agent-url', 'ftp://x'], '--agent-url must be an http:// URL'],
    [['--seed', 'x'], '--seed must be an integer'],
    [['extra'], "Unexpected argument 'extra'"],
  ])('exits 2 for %j', async (args, message) => {
    const { io, stderr } = liveIo('/');
    expect(await serveCommand.run(args, io)).toBe(2);
    expect(stderr()).toContain(message);
  });

  it('exits 2 when a port is taken', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    onTestFinished(() => new Promise<void>((resolve) => blocker.close(() => resolve())));
    const taken = (blocker.address() as { port: number }).port;
    const { io, stderr } = liveIo('/', new AbortController().signal);
    expect(await serveCommand.run(['--openai-port', String(taken), '--coval-port', String(await findFreePort())], io)).toBe(2);
    expect(stderr()).toContain('EADDRINUSE');
  });

  it('serves the fakes until interrupted, printing LLM requests and exports with their findings', async () => {
    const dir = await tempFiles({
      'script.yaml': 'id: script\ntitle: Script\nllm:\n  - when: { user: "Opening hours?" }\n    reply: { text: "Nine to five." }\ncaller:\n  - say: "Opening hours?"\n',
    });
    const [openaiPort, covalPort] = [await findFreePort(), await findFreePort()];
    const stop = new AbortController();
    const live = liveIo(dir, stop.signal);
    const running = serveCommand.run(['--openai-port', String(openaiPort), '--coval-port', String(covalPort), '--script', 'script.yaml'], live.io);
    onTestFinished(() => stop.abort());
    await live.printed(/Waiting for LLM requests/);
    expect(live.stdout()).toContain(`OPENAI_BASE_URL=http://127.0.0.1:${openaiPort}/v1`);

    const chat = await fetch(`http://127.0.0.1:${openaiPort}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: 'Bearer sk-relaysim-fake', 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Opening hours?' }] }),
    });
    expect(((await chat.json()) as { choices: { message: { content: string } }[] }).choices[0]?.message.content).toBe('Nine to five.');
    await live.printed(/llm +#1 POST \/v1\/chat\/completions: Opening hours\?/);

    const body = encodeOtlpJson(covalCall());
    const headers = { 'content-type': 'application/json', 'x-api-key': 'relaysim-coval-key', 'x-simulation-id': 'sim-serve-1' };
    expect((await fetch(`http://127.0.0.1:${covalPort}/v1/traces`, { method: 'POST', headers, body })).status).toBe(200);
    await live.printed(/export +sim-serve-1: HTTP 200 accepted, \d+ spans/);
    const wrong = await fetch(`http://127.0.0.1:${covalPort}/v1/traces`, { method: 'POST', headers: { ...headers, 'x-api-key': 'nope' }, body });
    expect(wrong.status).toBe(401);
    await live.printed(/export +sim-serve-1: HTTP 401 rejected \[OTLP-COVAL-API-KEY\]/);

    stop.abort();
    expect(await running).toBe(0);
    expect(live.stdout()).toContain('relaysim serve: stopped after 1 LLM request(s) and 2 export attempt(s) for 1 simulation(s)');
    await expect(fetch(`http://127.0.0.1:${covalPort}/v1/traces`, { method: 'POST', headers, body })).rejects.toThrow();
  });
});
