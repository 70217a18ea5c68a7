import type { LlmDelta, LlmToolCall } from './llm-client.ts';

type ToolCallFragment = Extract<LlmDelta, { type: 'tool-call' }>;

/** Most tool calls kept from one completion; more would only be a runaway or hostile stream. */
export const MAX_TOOL_CALLS_PER_TURN = 16;

/**
 * Reassembles streamed tool calls: fragments with the same `index` concatenate their id, name
 * and arguments. Calls come out in index order; a call the stream never named keeps `name: ""`
 * (running it then fails as an unknown tool, which the model is told about).
 */
export class ToolCallAccumulator {
  readonly #calls = new Map<number, { id: string; name: string; arguments: string }>();
  #dropped = 0;

  /** Adds one fragment. */
  add(fragment: ToolCallFragment): void {
    let call = this.#calls.get(fragment.index);
    if (!call) {
      if (this.#calls.size >= MAX_TOOL_CALLS_PER_TURN) {
        this.#dropped++;
        return;
      }
      call = { id: '', name: '', arguments: '' };
      this.#calls.set(fragment.index, call);
    }
    if (fragment.id) call.id += fragment.id;
    if (fragment.name) call.name += fragment.name;
    if (fragment.arguments) call.arguments += fragment.arguments;
  }

  /** Fragments ignored because the turn already had {@link MAX_TOOL_CALLS_PER_TURN} calls. */
  get dropped(): number {
    return this.#dropped;
  }

  /** The calls so far, by index; `fallbackId(index)` names calls that streamed no id. */
  calls(fallbackId: (index: number) => string): LlmToolCall[] {
    return [...this.#calls.entries()]
      .sort(([a], [b]) => a - b)
      .map(([index, call]) => ({ id: call.id === '' ? fallbackId(index) : call.id, name: call.name, arguments: call.arguments }));
  }
}
