/**
 * The embedded-agent module the mutation suite hands the runner (by URL, like `agent/embed.ts`):
 * `startEmbeddedAgent({env})` starts the mutant named by {@link MUTANT_ENV}, or the unmodified
 * reference agent when it is `none`.
 */
import { type MutantAgent, NO_MUTATION, startMutantAgent } from './mutant-agent.ts';
import { MUTANTS_BY_ID } from './mutants.ts';

/** The variable naming the mutant; the agent's own configuration ignores it. */
export const MUTANT_ENV = 'RELAYSIM_MUTANT';

/** The value of {@link MUTANT_ENV} that starts the reference agent unchanged. */
export const REFERENCE = 'none';

/** Starts the mutant `env[MUTANT_ENV]` names. Throws for an unknown name. */
export async function startEmbeddedAgent(options: { readonly env: Readonly<Record<string, string | undefined>> }): Promise<MutantAgent> {
  const name = options.env[MUTANT_ENV];
  const mutation = name === REFERENCE ? NO_MUTATION : name === undefined ? undefined : MUTANTS_BY_ID.get(name)?.mutation;
  if (mutation === undefined) throw new Error(`${MUTANT_ENV} must be '${REFERENCE}' or a mutant id from test/mutation/mutants.ts (actual: ${String(name)})`);
  return startMutantAgent(mutation, options.env);
}
