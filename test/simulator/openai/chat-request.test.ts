import { describe, expect, it } from 'vitest';
import { validateChatRequest } from '../../../simulator/openai/chat-request.ts';

const user = { role: 'user', content: 'hi' };
const errorOf = (body: unknown) => {
  const result = validateChatRequest(body);
  return result.ok ? undefined : result.error.body.error;
};

describe('validateChatRequest', () => {
  it('accepts a minimal request and reads stream, usage, max tokens and tool names', () => {
    const result = validateChatRequest({
      model: 'gpt-4o',
      messages: [user],
      stream: true,
      stream_options: { include_usage: true },
      max_completion_tokens: 50,
      tools: [{ type: 'function', function: { name: 'get_weather' } }],
    });
    expect(result).toEqual({
      ok: true,
      value: { model: 'gpt-4o', messages: [user], stream: true, includeUsage: true, maxTokens: 50, toolNames: ['get_weather'] },
    });
  });

  it('requires a model', () => {
    expect(errorOf({ messages: [user] })).toEqual({ message: 'you must provide a model parameter', type: 'invalid_request_error', param: null, code: null });
  });

  it('rejects messages of the wrong type, empty, or with a bad role', () => {
    expect(errorOf({ model: 'm', messages: 'hi' })).toMatchObject({ param: 'messages', code: 'invalid_type', message: expect.stringContaining('but got a string instead') });
    expect(errorOf({ model: 'm', messages: [] })).toMatchObject({ param: 'messages', code: 'empty_array' });
    expect(errorOf({ model: 'm', messages: [{ role: 'robot', content: 'x' }] })).toMatchObject({ param: 'messages[0].role', code: 'invalid_value' });
    expect(errorOf({ model: 'm', messages: [{ role: 'user' }] })).toMatchObject({ param: 'messages[0].content', code: 'missing_required_parameter' });
  });

  it('accepts an assistant message with null content and tool calls answered by tool messages', () => {
    const messages = [
      user,
      { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'a', arguments: '{}' } }, { id: 'c2', type: 'function', function: { name: 'b', arguments: '{}' } }] },
      { role: 'tool', tool_call_id: 'c2', content: 'B' },
      { role: 'tool', tool_call_id: 'c1', content: 'A' },
      { role: 'assistant', content: 'done' },
    ];
    expect(validateChatRequest({ model: 'm', messages }).ok).toBe(true);
  });

  it('rejects a tool message that answers no preceding tool call', () => {
    const messages = [user, { role: 'tool', tool_call_id: 'c9', content: 'x' }];
    expect(errorOf({ model: 'm', messages })).toMatchObject({
      param: 'messages.[1].role',
      message: "Invalid parameter: messages with role 'tool' must be a response to a preceeding message with 'tool_calls'.",
    });
    expect(errorOf({ model: 'm', messages: [user, { role: 'tool', content: 'x' }] })).toMatchObject({ param: 'messages[1].tool_call_id' });
  });

  it('rejects tool calls left without results at the end of the history', () => {
    const messages = [user, { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'a', arguments: '' } }] }];
    expect(errorOf({ model: 'm', messages })).toMatchObject({ param: 'messages.[1].role', message: expect.stringContaining('did not have response messages: c1') });
  });

  it('rejects stream_options without stream, a non-boolean stream and bad tools', () => {
    expect(errorOf({ model: 'm', messages: [user], stream_options: { include_usage: true } })).toMatchObject({ param: 'stream_options' });
    expect(errorOf({ model: 'm', messages: [user], stream: 'yes' })).toMatchObject({ param: 'stream', code: 'invalid_type' });
    expect(errorOf({ model: 'm', messages: [user], tools: [{ type: 'function', function: { name: 'bad name' } }] })).toMatchObject({ param: 'tools[0].function.name' });
    expect(errorOf({ model: 'm', messages: [user], max_tokens: 0 })).toMatchObject({ param: 'max_tokens', code: 'integer_below_min_value' });
  });
});
