import { describe, expect, it } from 'vitest';
import { validateResponsesRequest } from '../../../simulator/openai/responses-request.ts';

const errorOf = (body: unknown) => {
  const result = validateResponsesRequest(body);
  return result.ok ? undefined : result.error.body.error;
};

describe('validateResponsesRequest', () => {
  it('accepts string or item input and reads stream, instructions and function tool names', () => {
    const result = validateResponsesRequest({
      model: 'gpt-4.1',
      input: 'hi',
      stream: true,
      instructions: 'Be brief.',
      tools: [{ type: 'function', name: 'get_weather' }, { type: 'web_search' }],
    });
    expect(result).toMatchObject({ ok: true, value: { model: 'gpt-4.1', input: 'hi', stream: true, instructions: 'Be brief.', toolNames: ['get_weather'] } });
  });

  it('refuses a missing model, bad input, a non-boolean stream and a tiny max_output_tokens', () => {
    expect(errorOf({ input: 'x' })).toMatchObject({ param: 'model', code: 'missing_required_parameter' });
    expect(errorOf({ model: 'm', input: 5 })).toMatchObject({ param: 'input', code: 'invalid_type' });
    expect(errorOf({ model: 'm', input: [{ type: 'function_call_output', output: 'x' }] })).toMatchObject({ param: 'input[0].call_id' });
    expect(errorOf({ model: 'm', input: [{ content: 'x' }] })).toMatchObject({ param: 'input[0].role' });
    expect(errorOf({ model: 'm', input: 'x', stream: 1 })).toMatchObject({ param: 'stream' });
    expect(errorOf({ model: 'm', input: 'x', max_output_tokens: 3 })).toMatchObject({ param: 'max_output_tokens' });
  });
});
