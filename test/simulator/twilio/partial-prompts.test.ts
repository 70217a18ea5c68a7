import { describe, expect, it } from 'vitest';
import { cumulativePartials } from '../../../simulator/twilio/partial-prompts.ts';

describe('cumulativePartials', () => {
  it('gives one cumulative partial per word boundary by default, never the full text', () => {
    expect(cumulativePartials('what are your  hours')).toEqual(['what', 'what are', 'what are your']);
    expect(cumulativePartials('hello')).toEqual([]);
    expect(cumulativePartials('')).toEqual([]);
  });

  it('spreads a requested count evenly over the prefixes and caps it', () => {
    expect(cumulativePartials('a b c d e', 1)).toEqual(['a b']);
    expect(cumulativePartials('a b c d e', 2)).toEqual(['a b', 'a b c']);
    expect(cumulativePartials('a b c', 9)).toEqual(['a', 'a b']);
    expect(cumulativePartials('a b c', 0)).toEqual([]);
  });

  it('uses explicit partial texts as given', () => {
    expect(cumulativePartials('ok then', ['o', 'ok'])).toEqual(['o', 'ok']);
  });
});
