import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { FastifyInstance } from 'fastify';
import { systemClock } from '../core/clock.ts';
import { buildFakeCoval, type FakeCoval } from '../coval/fake-coval.ts';
import { FAKE_CREDENTIALS } from '../fakes/fake-stack.ts';
import { buildFakeOpenAi } from '../openai/fake-openai-app.ts';
import { formatFindings } from '../otlp/format-findings.ts';
import { oneLine, truncate } from '../report/report-text.ts';
import { loadScenarioFile } from '../scenario/load-scenario.ts';
import { EXIT, type CliCommand, type CliIo } from './cli-command.ts';
import { agentEnvFor, envLines } from './run-agent.ts';
import { DEFAULT_FAKE_PORTS } from './run-options.ts';

/** The agent URL `serve --print-env` assumes when none is given (its PORT and PUBLIC_URL follow from it). */
export const DEFAULT_SERVE_AGENT_URL = 'http://127.0.0.1:8080';

const USAGE = `Usage: relaysim serve [options]

Starts the fake OpenAI and the fake Coval on fixed loopback ports and prints the environment an
agent needs to use them. Stays up until Ctrl-C, printing every LLM request and every trace export
as it arrives, with the export's OTLP and Coval span-schema findings. Nothing calls the agent:
use it to develop against the fakes, or take the environment for 'relaysim run --agent-url'.

Options:
  --openai-port N      The fake OpenAI's port (default ${DEFAULT_FAKE_PORTS.openai}).
  --coval-port N       The fake Coval's port (default ${DEFAULT_FAKE_PORTS.coval}).
  --agent-url URL      Where the agent will listen, for the PORT and PUBLIC_URL lines
                       (default ${DEFAULT_SERVE_AGENT_URL}).
  --print-env          Print the environment (NAME=value lines) and exit without listening.
  --script FILE        A scenario file whose llm rules script the fake OpenAI
                       (default: deterministic replies that echo the caller).
  --seed N             Seed of the fake OpenAI's ids and unscripted replies (default 0).
  -h, --help           Show this help.

The fake Coval accepts exports for any X-Simulation-Id (there is no dialer here) and checks the
x-api-key it prints. Exit codes: 0 stopped by Ctrl-C, 2 usage error or a port in use.`;

function usageError(io: CliIo, message: string): number {
  io.stderr.write(`relaysim serve: ${message}\n\n${USAGE}\n`);
  return EXIT.USAGE;
}

function port(name: string, text: string | undefined, fallback: number): number | string {
  if (text === undefined) return fallback;
  const value = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  return Number.isInteger(value) && value >= 1 && value <= 65_535 ? value : `--${name} must be a port from 1 to 65535 (actual: '${text}')`;
}

/** The latest user text of a chat or responses request body, for one log line. */
function lastUserText(body: unknown): string {
  if (typeof body !== 'string') return '';
  try {
    const parsed = JSON.parse(body) as { messages?: { role?: string; content?: unknown }[]; input?: unknown };
    const users = (parsed.messages ?? []).filter((m) => m.role === 'user' || m.role === 'tool');
    const last = users[users.length - 1];
    if (last !== undefined) {
      const content = typeof last.content === 'string' ? last.content : JSON.stringify(last.content);
      return last.role === 'tool' ? `tool result ${content}` : content;
    }
    return typeof parsed.input === 'string' ? parsed.input : '';
  } catch {
    return '(body is not JSON)';
  }
}

/** Prints the new ingest attempts (and the findings of accepted batches) after each `/v1/traces` answer. */
function watchExports(coval: FakeCoval, io: CliIo): () => number {
  let printed = 0;
  const seen = new Map<string, Set<string>>();
  coval.app.addHook('onSend', async (request, _reply, payload) => {
    if (!request.url.startsWith('/v1/traces')) return payload;
    const attempts = coval.store.attempts();
    for (const a of attempts.slice(printed)) {
      const id = a.simulationId ?? '(no simulation id)';
      const rule = a.rule === undefined ? '' : ` [${a.rule}] ${oneLine(truncate(a.reason ?? '', 160))}`;
      io.stdout.write(`export  ${id}: HTTP ${a.status ?? 'reset'} ${a.outcome}${a.spanCount === undefined ? '' : `, ${a.spanCount} spans`}${rule}\n`);
      if (a.outcome !== 'accepted' || a.simulationId === null) continue;
      const known = seen.get(a.simulationId) ?? new Set<string>();
      seen.set(a.simulationId, known);
      const batch = coval.store.batches(a.simulationId).find((b) => b.seq === a.seq);
      const lines = formatFindings([...(batch?.findings ?? []), ...coval.store.finalize(a.simulationId)], 10).filter((l) => !known.has(l));
      for (const line of lines) {
        known.add(line);
        io.stdout.write(`          ${line}\n`);
      }
    }
    printed = attempts.length;
    return payload;
  });
  return () => printed;
}

function watchLlm(app: FastifyInstance, io: CliIo): () => number {
  let count = 0;
  app.addHook('preHandler', async (request) => {
    count++;
    const text = lastUserText(request.body);
    io.stdout.write(`llm     #${count} ${request.method} ${request.url.split('?')[0]}${text === '' ? '' : `: ${oneLine(truncate(text, 120))}`}\n`);
  });
  return () => count;
}

/** `relaysim serve`: the fakes alone on fixed ports, until Ctrl-C. */
export const serveCommand: CliCommand = {
  name: 'serve',
  summary: 'Start the fake OpenAI and Coval on fixed ports, print the agent environment, show exports',
  usage: USAGE,
  async run(args, io) {
    let parsed;
    try {
      parsed = parseArgs({
        args: [...args],
        allowPositionals: false,
        strict: true,
        options: {
          'openai-port': { type: 'string' },
          'coval-port': { type: 'string' },
          'agent-url': { type: 'string' },
          'print-env': { type: 'boolean' },
          script: { type: 'string' },
          seed: { type: 'string' },
          help: { type: 'boolean', short: 'h' },
        },
      });
    } catch (error) {
      return usageError(io, (error as Error).message);
    }
    const v = parsed.values;
    if (v.help) {
      io.stdout.write(`${USAGE}\n`);
      return EXIT.OK;
    }
    const openaiPort = port('openai-port', v['openai-port'], DEFAULT_FAKE_PORTS.openai);
    const covalPort = port('coval-port', v['coval-port'], DEFAULT_FAKE_PORTS.coval);
    if (typeof openaiPort === 'string') return usageError(io, openaiPort);
    if (typeof covalPort === 'string') return usageError(io, covalPort);
    if (openaiPort === covalPort) return usageError(io, `--openai-port and --coval-port must differ (both ${openaiPort})`);
    const agentUrl = v['agent-url'] ?? DEFAULT_SERVE_AGENT_URL;
    if (!URL.canParse(agentUrl) || !/^https?:$/.test(new URL(agentUrl).protocol)) return usageError(io, `--agent-url must be an http:// URL (actual: '${agentUrl}')`);
    const seed = v.seed === undefined ? 0 : /^\d+$/.test(v.seed) ? Number(v.seed) : Number.NaN;
    if (!Number.isSafeInteger(seed) || seed > 0xffff_ffff) return usageError(io, `--seed must be an integer from 0 to 4294967295 (actual: '${v.seed}')`);
    const env = agentEnvFor({ openai: openaiPort, coval: covalPort }, agentUrl);
    if (v['print-env']) {
      io.stdout.write(`${envLines(env, '')}\n`);
      return EXIT.OK;
    }

    let script: unknown;
    if (v.script !== undefined) {
      try {
        script = (await loadScenarioFile(resolve(io.cwd, v.script))).llm;
      } catch (error) {
        io.stderr.write(`relaysim serve: ${error instanceof Error ? error.message : String(error)}\n`);
        return EXIT.USAGE;
      }
    }
    const clock = systemClock;
    const openai = buildFakeOpenAi({ clock, seed, ...(script === undefined ? {} : { script }) });
    const coval = buildFakeCoval({ clock, apiKey: FAKE_CREDENTIALS.covalApiKey, acceptUnknownIds: true });
    const llmCount = watchLlm(openai, io);
    const exportCount = watchExports(coval, io);
    try {
      await openai.listen({ port: openaiPort, host: '127.0.0.1' });
      await coval.app.listen({ port: covalPort, host: '127.0.0.1' });
    } catch (error) {
      await openai.close();
      await coval.app.close();
      const busy = (error as { code?: unknown }).code === 'EADDRINUSE' ? ' (another relaysim serve or run? pass --openai-port/--coval-port)' : '';
      io.stderr.write(`relaysim serve: cannot listen: ${error instanceof Error ? error.message : String(error)}${busy}\n`);
      return EXIT.USAGE;
    }
    io.stdout.write(
      `relaysim serve: fake OpenAI on ${env.OPENAI_BASE_URL}, fake Coval on ${env.COVAL_TRACES_URL}\n` +
        `Start your agent with:\n${envLines(env)}\n` +
        `Waiting for LLM requests and trace exports (Ctrl-C to stop).\n`,
    );
    if (io.signal !== undefined && !io.signal.aborted) {
      const signal = io.signal;
      await new Promise<void>((done) => signal.addEventListener('abort', () => done(), { once: true }));
    }
    await openai.close();
    await coval.app.close();
    const simulations = coval.store.simulationIds().filter((id) => coval.store.batches(id).length > 0).length;
    io.stdout.write(`relaysim serve: stopped after ${llmCount()} LLM request(s) and ${exportCount()} export attempt(s) for ${simulations} simulation(s)\n`);
    return EXIT.OK;
  },
};
