import type { TObject } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import type { ToolDefinition } from '../llm/llm-client.ts';

/** The caller asked to hang up (the `end_call` tool): the session ends the call after this cycle. */
export interface EndCallRequest {
  readonly reason: string;
  readonly summary?: string;
}

/**
 * What running a tool gave back. `result` is the JSON string handed to the model; an `error`
 * is reported to the model too (as `{"error": …}`) and marks the tool span as failed.
 */
export type ToolOutcome =
  | { readonly result: string; readonly endCall?: EndCallRequest }
  | { readonly error: string };

/** The tools a session offers the model. `run` never throws: every failure is an error value. */
export interface ToolRegistry {
  readonly definitions: readonly ToolDefinition[];
  run(name: string, argsJson: string): Promise<ToolOutcome>;
}

/** One tool: its schema (TypeBox, which is also the JSON Schema sent to the model) and handler. */
export interface AgentTool<Schema extends TObject = TObject> {
  readonly name: string;
  readonly description: string;
  readonly parameters: Schema;
  /** Called with arguments that passed `parameters`; may throw, which becomes an error value. */
  handle(args: Schema['static']): ToolOutcome | Promise<ToolOutcome>;
}

/** Longest arguments string parsed; tool arguments are a few short fields. */
export const MAX_TOOL_ARGUMENTS_CHARS = 16_384;

function describeError(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}

/** Strips TypeBox's symbol keys so the schema is plain JSON for the model. */
function plainSchema(schema: TObject): Record<string, unknown> {
  return JSON.parse(JSON.stringify(schema)) as Record<string, unknown>;
}

/** Builds a {@link ToolRegistry}: parses and validates arguments, then runs the named tool. */
export function createToolRegistry(tools: readonly AgentTool[]): ToolRegistry {
  const byName = new Map<string, AgentTool>();
  for (const tool of tools) {
    if (byName.has(tool.name)) throw new RangeError(`createToolRegistry got two tools named '${tool.name}'; tool names must be unique`);
    byName.set(tool.name, tool);
  }
  const definitions: ToolDefinition[] = tools.map((tool) => ({
    type: 'function',
    function: { name: tool.name, description: tool.description, parameters: plainSchema(tool.parameters) },
  }));
  return {
    definitions,
    async run(name, argsJson) {
      const tool = byName.get(name);
      if (!tool) return { error: `unknown tool '${name.slice(0, 64)}'; available: ${[...byName.keys()].join(', ')}` };
      if (argsJson.length > MAX_TOOL_ARGUMENTS_CHARS) {
        return { error: `arguments for '${name}' are too long (${argsJson.length} characters, limit ${MAX_TOOL_ARGUMENTS_CHARS})` };
      }
      let args: unknown;
      try {
        // Models sometimes stream no arguments at all for a tool without required fields.
        args = argsJson.trim() === '' ? {} : JSON.parse(argsJson);
      } catch (err) {
        return { error: `arguments for '${name}' are not valid JSON: ${describeError(err)}` };
      }
      if (!Value.Check(tool.parameters, args)) {
        const first = Value.Errors(tool.parameters, args).First();
        const where = first?.path || '(root)';
        return { error: `arguments for '${name}' do not match its schema at ${where}: ${first?.message ?? 'invalid'}` };
      }
      try {
        return await tool.handle(args);
      } catch (err) {
        return { error: `tool '${name}' failed: ${describeError(err)}` };
      }
    },
  };
}
