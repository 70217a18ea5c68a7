import { DEFAULT_FAKE_PORTS, DEFAULT_START_TIMEOUT_S, type RunOptions } from './run-options.ts';

/** How a replay line starts: the command a user types in their own project. */
export const REPLAY_PREFIX = 'npx relaysim run';

const PLAIN = /^[A-Za-z0-9_\/.:=@%+,-]+$/;

/** One argument as a POSIX shell reads it back: bare when safe, else double quotes, else single quotes. */
export function shellQuote(arg: string): string {
  if (arg !== '' && PLAIN.test(arg)) return arg;
  if (!/["\\$`!\n\r]/.test(arg)) return `"${arg}"`;
  return `'${arg.replaceAll("'", `'\\''`)}'`;
}

/** The arguments naming the agent and how it is reached, as the user gave them. */
export function agentArgs(options: RunOptions): string[] {
  const a = options.agent;
  const out: string[] = [];
  if (a.kind === 'embedded' && a.module !== undefined) out.push('--agent-module', a.module);
  if (a.kind === 'spawn') out.push('--spawn', a.command);
  if (a.kind === 'url') {
    out.push('--agent-url', a.url);
    if (a.publicUrl !== undefined) out.push('--public-url', a.publicUrl);
    if (a.openaiPort !== DEFAULT_FAKE_PORTS.openai) out.push('--openai-port', String(a.openaiPort));
    if (a.covalPort !== DEFAULT_FAKE_PORTS.coval) out.push('--coval-port', String(a.covalPort));
  }
  for (const [name, value] of Object.entries(options.agentEnv)) out.push('--agent-env', `${name}=${value}`);
  const p = options.agentPaths;
  if (p.webhook !== undefined) out.push('--webhook-path', p.webhook);
  if (p.register !== undefined) out.push('--register-path', p.register);
  if (p.health !== undefined) out.push('--health-path', p.health);
  if (p.ws !== undefined) out.push('--ws-path', p.ws);
  if (options.startTimeoutS !== DEFAULT_START_TIMEOUT_S) out.push('--start-timeout', String(options.startTimeoutS));
  return out;
}

/**
 * The one-line command that reproduces a run: the scenario paths the user gave, the selection (one
 * scenario when `scenario` is set), the seed, the agent target and what changes verdicts.
 */
export function replayCommand(options: RunOptions, at: { readonly seed: number; readonly scenario?: string; readonly determinism?: boolean }): string {
  const args: string[] = [...options.paths];
  if (at.scenario !== undefined) args.push('--scenario', at.scenario);
  else {
    for (const s of options.scenarios) args.push('--scenario', s);
    for (const t of options.tags) args.push('--tag', t);
  }
  args.push('--seed', String(at.seed), ...agentArgs(options));
  if (options.strict) args.push('--strict');
  if (at.determinism ?? options.checkDeterminism) args.push('--check-determinism');
  return [REPLAY_PREFIX, ...args.map(shellQuote)].join(' ');
}
