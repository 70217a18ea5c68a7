import { type ChildProcess, spawn } from 'node:child_process';
import { Socket } from 'node:net';
import { findFreePort } from '../agent-target/free-port.ts';
import { type Clock, sleep } from '../core/clock.ts';
import { SimErrors } from '../core/errors.ts';

/** A `redis-server` the race started for its replicas. */
export interface LocalRedis {
  /** `redis://127.0.0.1:<port>`. */
  readonly url: string;
  /** Stops the server (SIGTERM, then SIGKILL after 5 s). Idempotent. */
  stop(): Promise<void>;
}

/** Options of {@link startLocalRedis}. */
export interface LocalRedisOptions {
  readonly clock: Clock;
  /** The binary; default `redis-server` from PATH. */
  readonly command?: string;
  readonly startTimeoutMs?: number;
}

function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    let reply = '';
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('error', () => done(false));
    socket.on('data', (chunk: Buffer) => {
      reply += chunk.toString();
      if (reply.includes('\r\n')) done(reply.startsWith('+PONG'));
    });
    socket.connect(port, '127.0.0.1', () => socket.write('PING\r\n'));
  });
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/**
 * Starts `redis-server` on a free loopback port, without persistence, for one race (`--redis`):
 * ready once it answers PING. Throws SIM_ERR_RACE_REDIS_FAILED (with install instructions when
 * the binary is missing) if it does not come up.
 */
export async function startLocalRedis(options: LocalRedisOptions): Promise<LocalRedis> {
  const { clock } = options;
  const port = await findFreePort();
  const child = spawn(options.command ?? 'redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4_000)));
  child.stderr?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4_000)));
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      process.off('exit', killOnExit);
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const graceful = await Promise.race([exited(child).then(() => true), sleep(clock, 5_000).then(() => false)]);
      if (!graceful) {
        child.kill('SIGKILL');
        await exited(child);
      }
    })());
  const failed = new Promise<string>((resolve) => {
    child.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ENOENT' ? `${options.command ?? 'redis-server'} is not on PATH` : error.message));
    child.once('exit', (code, signal) => resolve(`it exited (code ${code}, signal ${signal}): ${output.trim().split('\n').slice(-3).join(' | ')}`));
  });
  const timeoutMs = options.startTimeoutMs ?? 10_000;
  const started = clock.now();
  for (;;) {
    const problem = await Promise.race([failed, sleep(clock, 20).then(() => undefined)]);
    if (problem !== undefined) {
      await stop();
      throw new SimErrors.SIM_ERR_RACE_REDIS_FAILED(problem);
    }
    if (output.includes('Ready to accept connections') && (await ping(port))) break;
    if (clock.now() - started > timeoutMs) {
      await stop();
      throw new SimErrors.SIM_ERR_RACE_REDIS_FAILED(`it did not answer PING on port ${port} within ${timeoutMs} ms`);
    }
  }
  return { url: `redis://127.0.0.1:${port}`, stop };
}
