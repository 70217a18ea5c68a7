import { Type } from '@sinclair/typebox';
import { describe, expect, it } from 'vitest';
import { createToolRegistry, MAX_TOOL_ARGUMENTS_CHARS, type AgentTool } from '../../../agent/tools/tool-registry.ts';

const echo: AgentTool = {
  name: 'echo',
  description: 'Echo a word.',
  parameters: Type.Object({ word: Type.String({ description: 'the word' }) }),
  handle: (args) => ({ result: JSON.stringify({ said: (args as { word: string }).word }) }),
};

const explodes: AgentTool = {
  name: 'explodes',
  description: 'Always throws.',
  parameters: Type.Object({}),
  handle: () => {
    throw new Error('kaboom');
  },
};

describe('createToolRegistry', () => {
  const registry = createToolRegistry([echo, explodes]);

  it('publishes OpenAI function definitions with plain JSON schemas', () => {
    expect(registry.definitions[0]).toEqual({
      type: 'function',
      function: {
        name: 'echo',
        description: 'Echo a word.',
        parameters: { type: 'object', properties: { word: { type: 'string', description: 'the word' } }, required: ['word'] },
      },
    });
    expect(Object.getOwnPropertySymbols(registry.definitions[0]?.function.parameters ?? {})).toEqual([]);
  });

  it('runs a tool with valid arguments', async () => {
    await expect(registry.run('echo', '{"word":"hi"}')).resolves.toEqual({ result: '{"said":"hi"}' });
  });

  it('returns errors for unknown tools, bad JSON, schema mismatches, huge arguments and throwing handlers', async () => {
    await expect(registry.run('nope', '{}')).resolves.toMatchObject({ error: expect.stringMatching(/unknown tool 'nope'.*echo, explodes/) });
    await expect(registry.run('echo', '{"word":')).resolves.toMatchObject({ error: expect.stringMatching(/not valid JSON/) });
    await expect(registry.run('echo', '{"word":3}')).resolves.toMatchObject({ error: expect.stringMatching(/\/word/) });
    await expect(registry.run('echo', '[]')).resolves.toMatchObject({ error: expect.stringMatching(/do not match/) });
    await expect(registry.run('echo', 'x'.repeat(MAX_TOOL_ARGUMENTS_CHARS + 1))).resolves.toMatchObject({ error: expect.stringMatching(/too long/) });
    await expect(registry.run('explodes', '')).resolves.toEqual({ error: "tool 'explodes' failed: Error: kaboom" });
  });

  it('refuses two tools with one name', () => {
    expect(() => createToolRegistry([echo, echo])).toThrow(/two tools named 'echo'/);
  });
});
