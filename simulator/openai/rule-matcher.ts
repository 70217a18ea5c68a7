import type { PromptView } from './prompt-view.ts';
import { type LlmRule, type LlmScript, type LlmWhen, ruleId } from './script.ts';

/** The rule chosen for a request. */
export interface RuleMatch {
  readonly index: number;
  readonly id: string;
  readonly rule: LlmRule;
}

/** A rule's usage, for "was every rule used?" checks. */
export interface RuleUsage {
  readonly index: number;
  readonly id: string;
  readonly matched: number;
  readonly times: number | undefined;
}

/** Picks the answering rule: first in order whose conditions hold and whose `times` is not spent. */
export class RuleMatcher {
  readonly #rules: readonly LlmRule[];
  readonly #patterns: readonly (RegExp | undefined)[];
  #used: number[];

  constructor(script: LlmScript) {
    this.#rules = script;
    this.#patterns = script.map((rule) => {
      const user = rule.when?.user;
      return user === undefined || typeof user === 'string' ? undefined : new RegExp(user.pattern, user.flags);
    });
    this.#used = script.map(() => 0);
  }

  /** Finds and consumes the matching rule for the `turn`-th request (1-based). */
  match(view: PromptView, turn: number): RuleMatch | undefined {
    for (let i = 0; i < this.#rules.length; i++) {
      const rule = this.#rules[i] as LlmRule;
      if (rule.times !== undefined && (this.#used[i] ?? 0) >= rule.times) continue;
      if (!this.#holds(rule.when, this.#patterns[i], view, turn)) continue;
      this.#used[i] = (this.#used[i] ?? 0) + 1;
      return { index: i, id: ruleId(rule, i), rule };
    }
    return undefined;
  }

  /** How often each rule answered. */
  usage(): RuleUsage[] {
    return this.#rules.map((rule, i) => ({ index: i, id: ruleId(rule, i), matched: this.#used[i] ?? 0, times: rule.times }));
  }

  /** Forgets how often rules were used. */
  reset(): void {
    this.#used = this.#rules.map(() => 0);
  }

  #holds(when: LlmWhen | undefined, pattern: RegExp | undefined, view: PromptView, turn: number): boolean {
    if (!when) return true;
    if (when.turn !== undefined && when.turn !== turn) return false;
    if (when.user !== undefined) {
      if (view.latestUser === undefined) return false;
      if (typeof when.user === 'string') {
        if (view.latestUser.trim() !== when.user.trim()) return false;
      } else if (!pattern?.test(view.latestUser)) {
        return false;
      }
    }
    if (when.toolResult !== undefined) {
      const results = view.toolResults;
      if (when.toolResult === true && !results) return false;
      if (when.toolResult === false && results) return false;
      if (typeof when.toolResult === 'object' && !results?.includes(when.toolResult.name)) return false;
    }
    return true;
  }
}
