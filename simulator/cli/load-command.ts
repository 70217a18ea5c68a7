import { isAbsolute, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { AgentTargetSpec } from '../agent-target/agent-target.ts';
import { formatLoadProgress, formatLoadReport } from '../load/load-report.ts';
import { isLoadUsageProblem, parseLoadArgs, type LoadArgs } from '../load/load-args.ts';
import type { LoadProgress } from '../load/load-result.ts';
import { runLoad } from '../load/run-load.ts';
import { EXIT, type CliCommand, type CliIo } from './cli-command.ts';
import { isInteractive } from './progress.ts';
import { checkEmbeddedModule } from './run-agent.ts';

const USAGE = `Usage: relaysim load [options]

Drives complete calls (registration, signed voice webhook, relay socket with setup, prompts
answered by streamed replies, hang-up, trace export to the fake Coval) against an agent at a
concurrency, and reports calls/s, failed calls, protocol errors, lost and mis-correlated traces,
latency percentiles, the agent's RSS over time and CPU (kit and agent). See docs/performance.md.

Agent (default: the reference agent, embedded in this process):
  --spawn "CMD"            start the agent as a process (its RSS and CPU are then its own)
  --agent-url URL          an agent already running, started with the fakes' environment:
                           OPENAI_BASE_URL=http://127.0.0.1:<openai-port>/v1 OPENAI_API_KEY=sk-relaysim-fake
                           COVAL_TRACES_URL=http://127.0.0.1:<coval-port>/v1/traces COVAL_API_KEY=relaysim-coval-key
                           TWILIO_AUTH_TOKEN=relaysim-twilio-auth-token
  --public-url URL         its PUBLIC_URL (default: the agent URL with https)
  --openai-port N          fake OpenAI port for --agent-url (default 4010)
  --coval-port N           fake Coval port for --agent-url (default 4011)
  --agent-pid PID          process (group) of the --agent-url agent, to read its RSS and CPU
  --agent-module FILE      embed another module exporting startEmbeddedAgent({env})
  --agent-env NAME=value   extra environment for an agent the kit starts (repeatable)

Load:
  -c, --concurrency N      calls in flight at once (default 50)
  -n, --calls N            measured calls (default 1000)
  -d, --duration S         start calls for S seconds instead of a call count
  --rate R                 open loop: start R calls per second (at most --concurrency in flight;
                           arrivals beyond are shed and counted); default: closed loop
  --warmup N               the first N calls warm the agent up and are not measured (default 0)
  --ramp-ms MS             closed loop: start the --concurrency callers spread over MS (default 0)
  --prompts 1|2            caller prompts per call (default 2)
  --think-ms MS            caller pause after each complete reply (default 0)
  --first-token-ms MS      fake LLM delay before the first token (default 5)
  --inter-token-ms MS      fake LLM delay between tokens (default 1)
  --timeout-ms MS          each wait of a call: requests, a reply, the trace (default 10000)
  --sample-ms MS           RSS/CPU sampling and progress interval (default 500)
  --seed N                 seed of the calls' ids (default 1)

Output:
  --json                   print the result as JSON on stdout (progress stays on stderr)
  -h, --help               this text

Exit codes: 0 every call went through with its trace, 1 a call failed or a trace was lost,
mis-correlated or unidentified, 2 usage error, 130 interrupted (partial figures are printed).`;

function shown(file: string, cwd: string): string {
  const rel = relative(cwd, file);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? rel : file;
}

/** The target for the parsed agent choice, with how to name it; a usage message when none is known. */
export async function loadTarget(args: LoadArgs, io: CliIo): Promise<{ spec: AgentTargetSpec; label: string; pid?: number } | { usage: string }> {
  const a = args.agent;
  if (a.kind === 'spawn') return { spec: { kind: 'spawn', command: a.command, cwd: io.cwd }, label: a.command };
  if (a.kind === 'url') {
    return {
      spec: { kind: 'url', baseUrl: a.url, fakePorts: { openai: a.openaiPort, coval: a.covalPort }, ...(a.publicUrl === undefined ? {} : { publicUrl: a.publicUrl }) },
      label: a.url,
      ...(a.pid === undefined ? {} : { pid: a.pid }),
    };
  }
  const moduleUrl = a.module !== undefined ? pathToFileURL(resolve(io.cwd, a.module)).href : io.defaults?.agentModuleUrl;
  if (moduleUrl === undefined) return { usage: 'no agent named and no default agent module known: pass --spawn "CMD", --agent-url URL or --agent-module FILE' };
  const problem = await checkEmbeddedModule(moduleUrl);
  if (problem !== undefined) return { usage: problem };
  return { spec: { kind: 'embedded', moduleUrl }, label: moduleUrl.startsWith('file:') ? shown(fileURLToPath(moduleUrl), io.cwd) : moduleUrl };
}

/** Progress on stderr: one line redrawn in place on a terminal, else a plain line every 5 s. */
function progressPrinter(io: CliIo): { report(p: LoadProgress): void; done(): void } {
  const interactive = isInteractive(io.stderr, io.env);
  let lastPlainAt = -Infinity;
  let live = false;
  return {
    report(p) {
      const line = formatLoadProgress(p);
      if (interactive) {
        io.stderr.write(`\r\u001b[2K${line}`);
        live = true;
      } else if (p.elapsedMs - lastPlainAt >= 5_000 || (p.phase === 'drain' && p.inFlight === 0)) {
        lastPlainAt = p.elapsedMs;
        io.stderr.write(`${line}\n`);
      }
    },
    done() {
      if (live) io.stderr.write('\r\u001b[2K');
      live = false;
    },
  };
}

/** `relaysim load`: complete calls at a concurrency against an agent; figures as a table or JSON. */
export const loadCommand: CliCommand = {
  name: 'load',
  summary: 'load an agent with complete calls at a concurrency; throughput, correctness, latency, RSS, CPU',
  usage: USAGE,
  async run(argv, io) {
    const args = parseLoadArgs(argv);
    if (isLoadUsageProblem(args)) {
      io.stderr.write(`relaysim load: ${args.usage}\n\n${USAGE}\n`);
      return EXIT.USAGE;
    }
    if (args.help) {
      io.stdout.write(`${USAGE}\n`);
      return EXIT.OK;
    }
    const target = await loadTarget(args, io);
    if ('usage' in target) {
      io.stderr.write(`relaysim load: ${target.usage}\n`);
      return EXIT.USAGE;
    }
    const progress = progressPrinter(io);
    const result = await runLoad({
      target: target.spec,
      agentLabel: target.label,
      ...(target.pid === undefined ? {} : { agentPid: target.pid }),
      concurrency: args.concurrency,
      ...(args.calls === undefined ? {} : { calls: args.calls }),
      ...(args.durationS === undefined ? {} : { durationMs: args.durationS * 1000 }),
      ...(args.rate === undefined ? {} : { rate: args.rate }),
      warmupCalls: args.warmup,
      rampMs: args.rampMs,
      prompts: args.prompts,
      thinkMs: args.thinkMs,
      firstTokenMs: args.firstTokenMs,
      interTokenMs: args.interTokenMs,
      seed: args.seed,
      sampleMs: args.sampleMs,
      timeouts: { requestMs: args.timeoutMs, replyMs: args.timeoutMs, traceMs: args.timeoutMs },
      ...(Object.keys(args.agentEnv).length > 0 ? { agentEnv: args.agentEnv } : {}),
      onProgress: (p) => progress.report(p),
      ...(io.signal === undefined ? {} : { signal: io.signal }),
    });
    progress.done();
    io.stdout.write(`${args.json ? JSON.stringify(result, null, 2) : formatLoadReport(result)}\n`);
    if (io.signal?.aborted) return EXIT.INTERRUPTED;
    return result.ok ? EXIT.OK : EXIT.FAIL;
  },
};
