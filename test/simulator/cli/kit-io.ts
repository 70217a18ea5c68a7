import { fileURLToPath } from 'node:url';
import type { CliIo } from '../../../simulator/cli/cli-command.ts';
import { memoryIo } from './cli-test-io.ts';

/** The repository root. */
export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
/** The reference agent's embed module, as `simulator/cli/main.ts` names it. */
export const EMBED_URL = new URL('../../../agent/embed.ts', import.meta.url).href;
/** The scenario library. */
export const LIBRARY = `${ROOT}scenarios`;
/** The pinned Node 24 (the system node may be older). */
export const NODE = `${ROOT}node_modules/.bin/node`;

/** Captured io with the entry point's defaults (reference agent, library) and an abort signal. */
export function kitIo(cwd: string, extra: { env?: Record<string, string>; tty?: boolean; signal?: AbortSignal } = {}): {
  io: CliIo;
  stdout: () => string;
  stderr: () => string;
} {
  const base = memoryIo(cwd);
  const io: CliIo = {
    ...base.io,
    stdout: { write: base.io.stdout.write, isTTY: extra.tty === true },
    stderr: { write: base.io.stderr.write, isTTY: extra.tty === true, columns: 80 },
    env: extra.env ?? {},
    defaults: { agentModuleUrl: EMBED_URL, scenarioDir: LIBRARY },
    ...(extra.signal === undefined ? {} : { signal: extra.signal }),
  };
  return { io, stdout: base.stdout, stderr: base.stderr };
}
