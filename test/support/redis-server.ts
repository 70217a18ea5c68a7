/**
 * A real `redis-server` for the Redis registry tests (architecture §8): started from PATH on a
 * free loopback port without persistence, ready once it answers PING, stopped by the test file.
 * A missing binary is a test failure with instructions, never a skip.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, Socket } from 'node:net';
import { afterAll } from 'vitest';
import type { Redis } from 'ioredis';
import { createRegistryRedisClient } from '../../agent/registry/redis-store.ts';

/** A running server. */
export interface RedisServer {
  readonly port: number;
  /** `redis://127.0.0.1:<port>`. */
  readonly url: string;
  /** The child process, e.g. to pause it with SIGSTOP. */
  readonly process: ChildProcess;
  /** Stops the server and waits for it to exit. Idempotent. */
  stop(): Promise<void>;
}

const START_TIMEOUT_MS = 10_000;
const STOP_TIMEOUT_MS = 5_000;

const MISSING = 'redis-server was not found on PATH. The Redis registry tests need a real Redis server: install it ' +
  "(Debian/Ubuntu: apt-get install redis-server; macOS: brew install redis; `.ci/run` installs it) and run the tests again.";

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** Resolves once `PING` on 127.0.0.1:`port` is answered with `+PONG`. */
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

/** Starts `redis-server` on a free port; rejects with install instructions when it is missing. */
export async function startRedisServer(): Promise<RedisServer> {
  const port = await freePort();
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--loglevel', 'notice'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  let output = '';
  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`redis-server on port ${port} did not become ready within ${START_TIMEOUT_MS} ms; its output:\n${output}`)), START_TIMEOUT_MS);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (!output.includes('Ready to accept connections')) return;
      child.stdout?.off('data', onData);
      clearTimeout(timer);
      void ping(port).then((ok) => (ok ? resolve() : reject(new Error(`redis-server on port ${port} logged ready but did not answer PING`))));
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.once('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(error.code === 'ENOENT' ? new Error(MISSING) : error);
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`redis-server exited before it was ready (code ${code}, signal ${signal}); its output:\n${output}`));
    });
  });
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      process.off('exit', killOnExit);
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGCONT');
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
      await exited(child);
      clearTimeout(timer);
    })();
    return stopping;
  };
  try {
    await ready;
  } catch (error) {
    await stop();
    throw error;
  }
  return { port, url: `redis://127.0.0.1:${port}`, process: child, stop };
}

let shared: Promise<RedisServer> | undefined;

/** The test file's Redis server, started on first use and stopped after the file's tests. */
export function sharedRedisServer(): Promise<RedisServer> {
  shared ??= startRedisServer();
  return shared;
}

let sharedClient: Promise<Redis> | undefined;

/** A ready client on {@link sharedRedisServer} with the registry store's settings; closed after the file. */
export function sharedRedisClient(): Promise<Redis> {
  sharedClient ??= (async () => {
    const server = await sharedRedisServer();
    const client = createRegistryRedisClient(server.url);
    await client.connect();
    return client;
  })();
  return sharedClient;
}

let prefixes = 0;

/** A key prefix no other store in this test process has used, so stores sharing a server are isolated. */
export function freshKeyPrefix(): string {
  prefixes += 1;
  return `relaysim-test:${process.pid}:${prefixes}:`;
}

/**
 * Registers the file-level teardown. Must run while the test file is being collected (at module
 * top level), which importing this module from a test file does.
 */
afterAll(async () => {
  const client = sharedClient;
  const server = shared;
  sharedClient = undefined;
  shared = undefined;
  if (client) (await client.catch(() => undefined))?.disconnect();
  if (server) await (await server.catch(() => undefined))?.stop();
});
