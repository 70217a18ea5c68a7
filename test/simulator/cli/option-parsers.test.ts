import { describe, expect, it } from 'vitest';
import { agentChoiceProblem, agentEnvOption, httpUrlOption, integerOption, startedAgentChoice } from '../../../simulator/cli/option-parsers.ts';

describe('option-parsers', () => {
  it('integerOption takes the fallback when absent and refuses values out of range', () => {
    expect(integerOption('seed', undefined, 7, 0, 10)).toBe(7);
    expect(integerOption('seed', ' 4 ', 7, 0, 10)).toBe(4);
    expect(integerOption('seed', '11', 7, 0, 10)).toEqual({ usage: "--seed must be an integer from 0 to 10 (actual: '11')" });
  });

  it('httpUrlOption trims trailing slashes and refuses a query only when asked', () => {
    expect(httpUrlOption('agent-url', 'http://127.0.0.1:8080//')).toBe('http://127.0.0.1:8080');
    expect(httpUrlOption('agent-url', 'http://a/?x=1')).toBe('http://a/?x=1');
    expect(httpUrlOption('agent-url', 'http://a/?x=1', true)).toEqual({ usage: "--agent-url must not have a query or fragment (actual: 'http://a/?x=1')" });
    expect(httpUrlOption('agent-url', 'ftp://a')).toEqual({ usage: "--agent-url must be an http:// or https:// URL (actual: 'ftp://a')" });
  });

  it('agentEnvOption reads NAME=value pairs and refuses others', () => {
    expect(agentEnvOption(['A=1', 'B=x=y'])).toEqual({ A: '1', B: 'x=y' });
    expect(agentEnvOption(['1A=2'])).toEqual({ usage: "--agent-env takes NAME=value (actual: '1A=2')" });
  });

  it('agentChoiceProblem names the combined options and shows the caller example for an empty --spawn', () => {
    expect(agentChoiceProblem({ spawn: 'x', 'agent-url': 'http://a' }, 'cmd')).toEqual({ usage: 'choose one agent: --spawn and --agent-url cannot be combined' });
    expect(agentChoiceProblem({ spawn: ' ' }, 'node agent/main.ts')).toEqual({ usage: '--spawn needs a command, e.g. --spawn "node agent/main.ts"' });
    expect(agentChoiceProblem({ 'agent-module': '' }, 'cmd')).toEqual({ usage: '--agent-module needs a file' });
    expect(agentChoiceProblem({ 'agent-module': 'a.ts' }, 'cmd')).toBeUndefined();
  });

  it('startedAgentChoice prefers --spawn, else embeds the named module or the reference agent', () => {
    expect(startedAgentChoice({ spawn: 'python3 a.py' })).toEqual({ kind: 'spawn', command: 'python3 a.py' });
    expect(startedAgentChoice({ 'agent-module': 'a.ts' })).toEqual({ kind: 'embedded', module: 'a.ts' });
    expect(startedAgentChoice({})).toEqual({ kind: 'embedded' });
  });
});
