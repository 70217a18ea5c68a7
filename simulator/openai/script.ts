import { type Static, Type } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { SimErrors } from '../core/errors.ts';

const regexSchema = Type.Object(
  {
    pattern: Type.String({ minLength: 1, description: 'JavaScript regular expression source' }),
    flags: Type.Optional(Type.String({ pattern: '^[dimsuv]*$', description: 'RegExp flags (no g/y: matching is stateless)' })),
  },
  { additionalProperties: false },
);

/** When a rule applies; every condition given must hold (an empty `when` matches every request). */
export const llmWhenSchema = Type.Object(
  {
    user: Type.Optional(
      Type.Union([Type.String({ description: 'exact latest user message (surrounding whitespace ignored)' }), regexSchema]),
    ),
    turn: Type.Optional(Type.Integer({ minimum: 1, description: 'n-th LLM request received by the fake (1-based)' })),
    toolResult: Type.Optional(
      Type.Union([
        Type.Boolean({ description: 'true: the last message is a tool result; false: it is not' }),
        Type.Object({ name: Type.String({ minLength: 1 }) }, { additionalProperties: false }),
      ]),
    ),
  },
  { additionalProperties: false },
);

const toolCallSchema = Type.Object(
  {
    name: Type.String({ minLength: 1 }),
    arguments: Type.Optional(
      Type.Union([Type.String(), Type.Record(Type.String(), Type.Unknown())], {
        description: 'an object (sent as its JSON) or a raw string (sent verbatim, may be invalid JSON)',
      }),
    ),
    id: Type.Optional(Type.String({ minLength: 1, description: 'tool call id; default a seeded call_…' })),
  },
  { additionalProperties: false },
);

const errorSchema = Type.Object(
  {
    status: Type.Integer({ minimum: 400, maximum: 599 }),
    retryAfterS: Type.Optional(Type.Number({ minimum: 0, description: 'sent as the Retry-After header' })),
    retryAfterMs: Type.Optional(Type.Number({ minimum: 0, description: 'sent as the retry-after-ms header' })),
    message: Type.Optional(Type.String()),
    type: Type.Optional(Type.String()),
    code: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  },
  { additionalProperties: false },
);

/** Stream layouts other OpenAI-compatible servers produce; real agents often mishandle them. */
export const llmStreamShapeSchema = Type.Object(
  {
    finishOnLastChunk: Type.Optional(Type.Boolean({ description: 'finish_reason rides on the last content chunk' })),
    omitRoleChunk: Type.Optional(Type.Boolean({ description: 'no leading {role:"assistant"} chunk' })),
    usageInFinishChunk: Type.Optional(Type.Boolean({ description: 'usage on the finish chunk, no usage-only chunk' })),
    toolArgumentsWhole: Type.Optional(Type.Boolean({ description: 'each tool call in one fragment with all arguments' })),
    interleaveToolCalls: Type.Optional(Type.Boolean({ description: 'fragments of several tool calls alternate' })),
  },
  { additionalProperties: false },
);

/** What the fake answers for a matched request. */
export const llmReplySchema = Type.Object(
  {
    text: Type.Optional(Type.String()),
    toolCalls: Type.Optional(Type.Array(toolCallSchema, { minItems: 1 })),
    error: Type.Optional(errorSchema),
    chunk: Type.Optional(
      Type.Union([
        Type.Literal('token'),
        Type.Literal('word'),
        Type.Object({ size: Type.Integer({ minimum: 1 }) }, { additionalProperties: false }),
      ]),
    ),
    firstTokenMs: Type.Optional(Type.Number({ minimum: 0 })),
    interTokenMs: Type.Optional(Type.Number({ minimum: 0 })),
    finishReason: Type.Optional(
      Type.Union([Type.Literal('stop'), Type.Literal('length'), Type.Literal('tool_calls'), Type.Literal('content_filter')]),
    ),
    cutAfterChunks: Type.Optional(Type.Integer({ minimum: 0, description: 'destroy the socket after N events, no [DONE]' })),
    streamShape: Type.Optional(llmStreamShapeSchema),
  },
  { additionalProperties: false },
);

/** One scripted rule: the first rule (in order) whose `when` holds and whose `times` is not used up answers. */
export const llmRuleSchema = Type.Object(
  {
    id: Type.Optional(Type.String({ minLength: 1, description: 'name shown in the history; default rule-<index>' })),
    when: Type.Optional(llmWhenSchema),
    times: Type.Optional(Type.Integer({ minimum: 1 })),
    reply: llmReplySchema,
  },
  { additionalProperties: false },
);

/** The scenario file's `llm` section: an ordered list of rules. */
export const llmScriptSchema = Type.Array(llmRuleSchema);

/** A condition set of a rule. */
export type LlmWhen = Static<typeof llmWhenSchema>;
/** A scripted tool call. */
export type LlmToolCall = Static<typeof toolCallSchema>;
/** A scripted HTTP error returned before any stream starts. */
export type LlmErrorReply = Static<typeof errorSchema>;
/** Alternative stream layouts. */
export type LlmStreamShape = Static<typeof llmStreamShapeSchema>;
/** A scripted reply. */
export type LlmReply = Static<typeof llmReplySchema>;
/** A scripted rule. */
export type LlmRule = Static<typeof llmRuleSchema>;
/** An ordered list of rules. */
export type LlmScript = Static<typeof llmScriptSchema>;
/** How text is cut into stream chunks. */
export type LlmChunking = NonNullable<LlmReply['chunk']>;

/** One problem in a script: a JSON pointer into it and what is wrong there. */
export interface LlmScriptProblem {
  readonly path: string;
  readonly message: string;
}

function semanticProblems(script: LlmScript): LlmScriptProblem[] {
  const problems: LlmScriptProblem[] = [];
  script.forEach((rule, i) => {
    const reply = rule.reply;
    const hasContent = reply.text !== undefined || reply.toolCalls !== undefined;
    if (reply.error && hasContent) problems.push({ path: `/${i}/reply`, message: 'an error reply cannot also carry text or toolCalls' });
    if (!reply.error && !hasContent) problems.push({ path: `/${i}/reply`, message: 'needs text, toolCalls or error' });
    const user = rule.when?.user;
    if (user !== undefined && typeof user !== 'string') {
      try {
        new RegExp(user.pattern, user.flags);
      } catch (error) {
        problems.push({ path: `/${i}/when/user/pattern`, message: (error as Error).message });
      }
    }
  });
  const ids = new Set<string>();
  script.forEach((rule, i) => {
    if (rule.id === undefined) return;
    if (ids.has(rule.id)) problems.push({ path: `/${i}/id`, message: `duplicate rule id '${rule.id}'` });
    ids.add(rule.id);
  });
  return problems;
}

/** Every problem of a script (schema first; cross-field rules only once the shape is right); empty when valid. */
export function llmScriptProblems(value: unknown): LlmScriptProblem[] {
  if (!Value.Check(llmScriptSchema, value)) {
    return [...Value.Errors(llmScriptSchema, value)].map((e) => ({
      path: e.path || '/',
      message: `${e.message} (actual: ${JSON.stringify(e.value)})`,
    }));
  }
  return semanticProblems(value);
}

/** Validates an LLM script (schema and cross-field rules) and returns it typed; throws SIM_ERR_OPENAI_SCRIPT_INVALID. */
export function parseLlmScript(value: unknown): LlmScript {
  const problems = llmScriptProblems(value);
  if (problems.length > 0) {
    const text = problems.slice(0, 5).map((p) => `${p.path}: ${p.message}`);
    throw new SimErrors.SIM_ERR_OPENAI_SCRIPT_INVALID(text.join('; '));
  }
  return value as LlmScript;
}

/** The id a rule is recorded under. */
export function ruleId(rule: LlmRule, index: number): string {
  return rule.id ?? `rule-${index}`;
}
