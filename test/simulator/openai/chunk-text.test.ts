import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { chunkText, countTokens, sizedPieces, tokenPieces, wordPieces } from '../../../simulator/openai/chunk-text.ts';
import { fcOptions } from '../../support/fc-config.ts';

describe('chunkText', () => {
  it('splits text into tokenizer-like pieces with leading spaces and separate punctuation', () => {
    expect(tokenPieces("Hello, world! It's 2026.")).toEqual(['Hello', ',', ' world', '!', ' It', "'s", ' ', '202', '6', '.']);
  });

  it('splits long words into short pieces as a BPE tokenizer would', () => {
    expect(tokenPieces(' internationalization')).toEqual([' int', 'erna', 'tion', 'aliz', 'atio', 'n']);
  });

  it('splits into words that keep their leading whitespace', () => {
    expect(wordPieces('We are  open.  ')).toEqual(['We', ' are', '  open.  ']);
  });

  it('splits into fixed-size pieces without breaking surrogate pairs', () => {
    expect(sizedPieces('ab😀cd', 3)).toEqual(['ab😀', 'cd']);
  });

  it('gives no pieces for empty text', () => {
    expect(chunkText('', 'token')).toEqual([]);
    expect(chunkText('', 'word')).toEqual([]);
    expect(chunkText('', { size: 2 })).toEqual([]);
  });

  it('loses nothing: joining the pieces gives back the text for every chunking', () => {
    const chunking = fc.oneof(
      fc.constant('token' as const),
      fc.constant('word' as const),
      fc.integer({ min: 1, max: 12 }).map((size) => ({ size })),
    );
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 80 }), chunking, (text, how) => {
        const pieces = chunkText(text, how);
        expect(pieces.join('')).toBe(text);
        expect(pieces.every((p) => p.length > 0)).toBe(true);
      }),
      fcOptions({ numRuns: 300 }, 'chunkText round trip'),
    );
  });

  it('counts as many tokens as it cuts token pieces for plain text', () => {
    const text = 'We are open from nine to five on weekdays, and closed on Sundays; internationally too.';
    expect(countTokens(text)).toBe(tokenPieces(text).length);
  });
});
