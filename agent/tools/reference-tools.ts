import { endCallTool } from './end-call-tool.ts';
import { healthcareTools } from './healthcare-tools.ts';
import { createToolRegistry, type ToolRegistry } from './tool-registry.ts';

/** The reference agent's tools: the four clinic tools plus `end_call`. */
export function createReferenceToolRegistry(): ToolRegistry {
  return createToolRegistry([...healthcareTools, endCallTool]);
}

/** The reference agent's default system prompt (a clinic phone assistant). */
export const REFERENCE_SYSTEM_PROMPT =
  'You are a friendly, professional phone assistant for Riverside Clinic. You help patients look up and ' +
  'reschedule appointments, check prescription status and ask about lab results. This is a phone call: keep ' +
  'answers short, speak naturally, and never use lists or formatting. If a tool returns an error, apologise ' +
  'briefly and say that service is unavailable right now; never make up results. When the caller is done, say ' +
  'goodbye and call end_call.';
