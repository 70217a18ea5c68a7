import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onTestFinished } from 'vitest';
import type { CliIo } from '../../../simulator/cli/cli-command.ts';

/** In-memory io for running commands in-process, with captured output. */
export function memoryIo(cwd: string, stdin: Uint8Array | string = ''): { io: CliIo; stdout: () => string; stderr: () => string } {
  let out = '';
  let err = '';
  const io: CliIo = {
    stdout: { write: (s: string) => (out += s) },
    stderr: { write: (s: string) => (err += s) },
    stdin: (async function* () {
      if (stdin.length > 0) yield stdin;
    })(),
    env: {},
    cwd,
  };
  return { io, stdout: () => out, stderr: () => err };
}

/**
 * A temp directory holding `files`, removed after the test. Concurrent tests pass their context's
 * `onTestFinished`: the global one only knows the current test before the first `await`.
 */
export async function tempFiles(files: Record<string, string | Uint8Array>, onFinished: (fn: () => Promise<void>) => void = onTestFinished): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'relaysim-cli-'));
  onFinished(() => rm(dir, { recursive: true, force: true }));
  for (const [name, content] of Object.entries(files)) await writeFile(join(dir, name), content);
  return dir;
}
