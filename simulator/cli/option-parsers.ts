/** A usage problem: the message printed before the usage text (exit 2). */
export interface UsageProblem {
  readonly usage: string;
}

/** True when parsing failed. */
export function isUsageProblem(value: unknown): value is UsageProblem {
  return typeof value === 'object' && value !== null && 'usage' in value;
}

/** The agent options shared by `run`, `load` and `race`, as `parseArgs` returned them. */
export interface AgentOptionValues {
  readonly 'agent-module'?: string;
  readonly spawn?: string;
  readonly 'agent-url'?: string;
}

/** An agent the kit starts: in this process (`--agent-module` or the reference agent) or `--spawn`. */
export type StartedAgentChoice = { readonly kind: 'embedded'; readonly module?: string } | { readonly kind: 'spawn'; readonly command: string };

/** `--<name>` as an integer in [min, max]; `fallback` when absent. */
export function integerOption(name: string, text: string | undefined, fallback: number, min: number, max: number): number | UsageProblem {
  if (text === undefined) return fallback;
  const value = /^\d+$/.test(text.trim()) ? Number(text.trim()) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) return { usage: `--${name} must be an integer from ${min} to ${max} (actual: '${text}')` };
  return value;
}

/** `--<name>` as an absolute http(s) URL without trailing slashes; `rejectQuery` also refuses a query or fragment. */
export function httpUrlOption(name: string, text: string, rejectQuery = false): string | UsageProblem {
  if (!URL.canParse(text)) return { usage: `--${name} must be an absolute URL such as http://127.0.0.1:8080 (actual: '${text}')` };
  const url = new URL(text);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return { usage: `--${name} must be an http:// or https:// URL (actual: '${text}')` };
  if (rejectQuery && (url.search !== '' || url.hash !== '')) return { usage: `--${name} must not have a query or fragment (actual: '${text}')` };
  return text.replace(/\/+$/, '');
}

/** The repeatable `--agent-env NAME=value` items as an environment. */
export function agentEnvOption(list: readonly string[]): Record<string, string> | UsageProblem {
  const env: Record<string, string> = {};
  for (const item of list) {
    const at = item.indexOf('=');
    const name = at < 0 ? item : item.slice(0, at);
    if (at < 0 || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) return { usage: `--agent-env takes NAME=value (actual: '${item}')` };
    env[name] = item.slice(at + 1);
  }
  return env;
}

/** The problem with how the agent was named (more than one way, or an empty value); `spawnExample` is the command shown for an empty `--spawn`. */
export function agentChoiceProblem(v: AgentOptionValues, spawnExample: string): UsageProblem | undefined {
  const named = [v['agent-module'] === undefined ? [] : ['--agent-module'], v.spawn === undefined ? [] : ['--spawn'], v['agent-url'] === undefined ? [] : ['--agent-url']].flat();
  if (named.length > 1) return { usage: `choose one agent: ${named.join(' and ')} cannot be combined` };
  if (v.spawn !== undefined && v.spawn.trim() === '') return { usage: `--spawn needs a command, e.g. --spawn "${spawnExample}"` };
  if (v['agent-module'] !== undefined && v['agent-module'].trim() === '') return { usage: '--agent-module needs a file' };
  return undefined;
}

/** The agent the kit starts when no `--agent-url` was given. */
export function startedAgentChoice(v: AgentOptionValues): StartedAgentChoice {
  return v.spawn !== undefined ? { kind: 'spawn', command: v.spawn } : { kind: 'embedded', ...(v['agent-module'] === undefined ? {} : { module: v['agent-module'] }) };
}
