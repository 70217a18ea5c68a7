import { spawn } from 'node:child_process';
import { type Clock, sleep } from '../core/clock.ts';
import { SimErrors } from '../core/errors.ts';
import { type AgentExit, type AgentHandle, type AgentPaths, DEFAULT_AGENT_PATHS } from './agent-handle.ts';
import { OutputTail } from './output-tail.ts';
import { waitUntilReady } from './wait-until-ready.ts';

/** Inputs of {@link startSpawnedAgent}. */
export interface SpawnStartOptions {
  /** A shell command line (`node agent/main.ts`, `python agent.py`, …). */
  readonly command: string;
  readonly cwd?: string;
  /** Variables added to the inherited environment (they win). */
  readonly env: Readonly<Record<string, string>>;
  /** `http://127.0.0.1:<PORT>`: where the process will listen. */
  readonly baseUrl: string;
  readonly publicUrl: string;
  readonly twilioAuthToken: string | undefined;
  readonly covalApiKey: string;
  readonly paths?: AgentPaths;
  readonly clock: Clock;
  readonly fetch: typeof globalThis.fetch;
  /** How long the process may take to answer its health path; default 20 000 ms. */
  readonly startTimeoutMs?: number;
  /** After SIGTERM, how long before SIGKILL; default 5 000 ms. */
  readonly stopGraceMs?: number;
  /** Inherit this process's environment (PATH, HOME …) under `env`; default true. */
  readonly inheritEnv?: boolean;
}

/** Sends `signal` to the process group we started (the shell and what it runs); false if it is gone. */
function signalGroup(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    try {
      process.kill(pid, signal);
      return true;
    } catch {
      return false;
    }
  }
}

/**
 * Starts an agent as a child process (`spawn(command, {shell: true})` in its own process group),
 * keeps the tails of its output, waits until it answers its health path, and reports an early exit
 * as SIM_ERR_AGENT_START_FAILED with its last output. `close()` sends SIGTERM to the group, then
 * SIGKILL after the grace period.
 */
export async function startSpawnedAgent(options: SpawnStartOptions): Promise<AgentHandle> {
  const { clock } = options;
  const stdout = new OutputTail();
  const stderr = new OutputTail();
  const child = spawn(options.command, {
    shell: true,
    detached: true,
    cwd: options.cwd,
    env: { ...(options.inheritEnv === false ? {} : process.env), ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
  child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
  let exit: AgentExit | undefined;
  const exited = new Promise<AgentExit>((resolve) => {
    // 'close', not 'exit': the shell may die first while the agent it started still holds the
    // output pipes; the agent is gone only once every process of the group closed them.
    child.once('close', (code, signal) => {
      exit = { code, signal, atMs: clock.now() };
      resolve(exit);
    });
    child.once('error', (error) => {
      stderr.push(`spawn failed: ${error.message}\n`);
      exit ??= { code: null, signal: null, atMs: clock.now() };
      resolve(exit);
    });
  });
  const pid = child.pid ?? null;
  const paths = options.paths ?? DEFAULT_AGENT_PATHS;
  const graceMs = options.stopGraceMs ?? 5_000;

  let stopping: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (stopping ??= (async () => {
      if (exit !== undefined || pid === null) return;
      if (!signalGroup(pid, 'SIGTERM')) return;
      const graceful = await Promise.race([exited.then(() => true), sleep(clock, graceMs).then(() => false)]);
      if (graceful) return;
      signalGroup(pid, 'SIGKILL');
      await Promise.race([exited, sleep(clock, 2_000)]);
    })());

  const handle: AgentHandle = {
    mode: 'spawn',
    baseUrl: options.baseUrl,
    publicUrl: options.publicUrl,
    paths,
    twilioAuthToken: options.twilioAuthToken,
    covalApiKey: options.covalApiKey,
    env: options.env,
    exited,
    processRecord: () => ({
      command: options.command,
      pid,
      ...(exit === undefined ? {} : { exit: { ...exit } }),
      stdoutTail: stdout.toString(),
      stderrTail: stderr.toString(),
    }),
    close,
  };

  const ready = await waitUntilReady({
    url: `${options.baseUrl}${paths.health}`,
    fetch: options.fetch,
    clock,
    timeoutMs: options.startTimeoutMs ?? 20_000,
    exited,
  });
  if (!ready.ok) {
    await close();
    const tail = stderr.toString().trim().split('\n').slice(-5).join('\n') || stdout.toString().trim().split('\n').slice(-5).join('\n');
    throw Object.assign(new SimErrors.SIM_ERR_AGENT_START_FAILED(`\`${options.command}\`: ${ready.reason}${tail ? `; last output:\n${tail}` : ''}`), {
      process: handle.processRecord(),
    });
  }
  return handle;
}
