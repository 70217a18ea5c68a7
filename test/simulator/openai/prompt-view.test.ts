import { describe, expect, it } from 'vitest';
import { validateChatRequest } from '../../../simulator/openai/chat-request.ts';
import { chatPromptView, responsesPromptView } from '../../../simulator/openai/prompt-view.ts';
import { validateResponsesRequest } from '../../../simulator/openai/responses-request.ts';

function chat(messages: unknown[]) {
  const result = validateChatRequest({ model: 'm', messages });
  if (!result.ok) throw new Error(result.error.body.error.message);
  return result.value;
}

function responses(input: unknown) {
  const result = validateResponsesRequest({ model: 'm', input });
  if (!result.ok) throw new Error(result.error.body.error.message);
  return result.value;
}

describe('chatPromptView', () => {
  it('reads the latest user message, including text parts', () => {
    const view = chatPromptView(chat([{ role: 'user', content: 'first' }, { role: 'assistant', content: 'ok' }, { role: 'user', content: [{ type: 'text', text: 'sec' }, { type: 'text', text: 'ond' }] }]), new Map());
    expect(view.latestUser).toBe('second');
    expect(view.toolResults).toBeUndefined();
  });

  it('names the trailing tool results through the request, then through calls the fake issued', () => {
    const request = chat([
      { role: 'user', content: 'q' },
      { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'lookup', arguments: '{}' } }, { id: 'c2', type: 'function', function: { arguments: '{}' } }] },
      { role: 'tool', tool_call_id: 'c1', content: 'a' },
      { role: 'tool', tool_call_id: 'c2', content: 'b' },
    ]);
    expect(chatPromptView(request, new Map()).toolResults).toEqual(['lookup', '']);
    expect(chatPromptView(request, new Map([['c2', 'book']])).toolResults).toEqual(['lookup', 'book']);
    expect(chatPromptView(request, new Map()).latestUser).toBe('q');
  });
});

describe('responsesPromptView', () => {
  it('takes a string input as the user message', () => {
    expect(responsesPromptView(responses('hello'), new Map()).latestUser).toBe('hello');
  });

  it('reads user items and trailing function_call_output items', () => {
    const view = responsesPromptView(
      responses([
        { role: 'user', content: [{ type: 'input_text', text: 'weather?' }] },
        { type: 'function_call', call_id: 'k1', name: 'get_weather', arguments: '{}' },
        { type: 'function_call_output', call_id: 'k1', output: 'sunny' },
      ]),
      new Map(),
    );
    expect(view).toMatchObject({ latestUser: 'weather?', toolResults: ['get_weather'] });
  });
});
