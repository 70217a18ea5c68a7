import { describe, expect, it } from 'vitest';
import { ConversationRecord, type TurnDraft, truncateTurns } from '../../../agent/session/conversation-record.ts';

const IDENTITY = { callSid: 'CA1', startedAtMs: 100 };

function turn(sent: string): TurnDraft {
  return { kind: 'assistant-draft', requestedAtMs: 0, sent, interrupted: false };
}

describe('ConversationRecord', () => {
  it('tells the model the system prompt, the caller and each reply as heard', () => {
    const record = new ConversationRecord('be brief');
    record.addUserTurn({ kind: 'user', source: 'dtmf', text: 'The caller pressed 1', receivedAtMs: 5 }, 'The caller pressed 1');
    const reply = record.startTurn(6);
    reply.sent = 'Hello there';
    reply.heard = 'Hello';
    expect(record.requestMessages()).toEqual([
      { role: 'system', content: 'be brief' },
      { role: 'user', content: 'The caller pressed 1' },
      { role: 'assistant', content: 'Hello' },
    ]);
  });

  it('leaves out a reply the caller heard nothing of, unless it asked for tools', () => {
    const record = new ConversationRecord('p');
    record.startTurn(1).sent = '';
    const asking = record.startTurn(2);
    const call = { id: 'c1', name: 'lookup', arguments: '{}' };
    record.completeToolRound(asking, [call], [{ role: 'tool', toolCallId: 'c1', content: '42' }]);
    expect(record.requestMessages()).toEqual([
      { role: 'system', content: 'p' },
      { role: 'assistant', content: '', toolCalls: [call] },
      { role: 'tool', toolCallId: 'c1', content: '42' },
    ]);
  });

  it('builds the call log in order, ending open turns at the close', () => {
    const record = new ConversationRecord('p');
    record.addUserTurn({ kind: 'user', source: 'speech', text: 'hi', receivedAtMs: 1 }, 'hi');
    const open = record.startTurn(2);
    open.sent = 'Hel';
    record.addToolTurn({ kind: 'tool', callId: 'c', name: 'n', arguments: '{}', startedAtMs: 3, endedAtMs: 4, result: 'r' });
    expect(record.eventCount).toBe(3);
    const log = record.buildCallLog(IDENTITY, 9);
    expect(log).toEqual({
      callSid: 'CA1',
      startedAtMs: 100,
      endedAtMs: 9,
      events: [
        { kind: 'user', source: 'speech', text: 'hi', receivedAtMs: 1 },
        { kind: 'assistant', requestedAtMs: 2, endedAtMs: 9, text: 'Hel', interrupted: false },
        { kind: 'tool', callId: 'c', name: 'n', arguments: '{}', startedAtMs: 3, endedAtMs: 4, result: 'r' },
      ],
    });
    expect(Object.keys(log)).toEqual(['callSid', 'startedAtMs', 'endedAtMs', 'events']);
  });
});

describe('truncateTurns', () => {
  it('keeps whole turns the caller heard and cuts the one the interrupt landed in', () => {
    const turns = [turn('One. '), turn(''), turn('Two three.')];
    truncateTurns(turns, 'One. Two');
    expect(turns.map((t) => [t.heard, t.interrupted])).toEqual([
      [undefined, false],
      [undefined, false],
      ['Two', true],
    ]);
  });

  it('empties every later turn with text once the heard text stops matching', () => {
    const turns = [turn('Alpha. '), turn('Beta.')];
    truncateTurns(turns, 'Alp');
    expect(turns.map((t) => [t.heard, t.interrupted])).toEqual([
      ['Alp', true],
      ['', true],
    ]);
  });
});
