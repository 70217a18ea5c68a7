import type { ResolvedAgentConfig } from '../config.ts';
import type { AgentDeps } from '../deps.ts';
import type { OpenCalls } from './open-calls.ts';

/** What every route module receives from {@link buildAgent}. */
export interface RouteContext {
  readonly config: ResolvedAgentConfig;
  readonly deps: AgentDeps;
  readonly calls: OpenCalls;
}
