import { Type } from '@sinclair/typebox';
import type { AgentTool } from './tool-registry.ts';

/** Name of the tool that ends the call. */
export const END_CALL_TOOL_NAME = 'end_call';

const endCallParameters = Type.Object({
  reason: Type.String({ description: 'Why the call is ending, e.g. "caller said goodbye" or "caller asked for a person"' }),
  summary: Type.Optional(Type.String({ description: 'One or two sentences summarising what was done on the call' })),
});

/**
 * `end_call`: the model hangs up. The session finishes the current talk cycle, then sends
 * `{"type":"end","handoffData":"…"}` and nothing after it.
 */
export const endCallTool: AgentTool<typeof endCallParameters> = {
  name: END_CALL_TOOL_NAME,
  description:
    'End the phone call. Use it when the caller says goodbye or has nothing else to ask. Say your goodbye in the same reply, before calling this.',
  parameters: endCallParameters,
  handle: (args) => ({
    result: JSON.stringify({ ok: true, ending: true }),
    endCall: { reason: args.reason, ...(args.summary === undefined ? {} : { summary: args.summary }) },
  }),
};
