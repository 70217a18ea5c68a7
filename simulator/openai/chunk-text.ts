import type { LlmChunking } from './script.ts';

// Modelled on the cl100k/o200k pre-tokenizer split: contractions, a word with its leading
// non-letter (usually the space), up to three digits, punctuation runs, newlines, spaces.
const PRE_TOKEN = /'(?:s|t|re|ve|m|ll|d)(?!\p{L})|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+/giu;

// BPE keeps common short words whole and splits long ones; 8 letters then 4-letter pieces is a
// fair stand-in for English without shipping a vocabulary.
const MAX_WHOLE = 8;
const PIECE = 4;

/** Splits text into approximate tokenizer pieces; joining them gives back the text exactly. */
export function tokenPieces(text: string): string[] {
  const out: string[] = [];
  for (const match of text.matchAll(PRE_TOKEN)) {
    const piece = match[0];
    const chars = Array.from(piece);
    if (chars.length <= MAX_WHOLE) {
      out.push(piece);
      continue;
    }
    for (let i = 0; i < chars.length; i += PIECE) out.push(chars.slice(i, i + PIECE).join(''));
  }
  return out;
}

/** Splits text into words, each with its leading whitespace; trailing whitespace joins the last word. */
export function wordPieces(text: string): string[] {
  const out: string[] = text.match(/\s*\S+/g) ?? [];
  const consumed = out.reduce((n, p) => n + p.length, 0);
  if (consumed < text.length) {
    const tail = text.slice(consumed);
    if (out.length > 0) out[out.length - 1] += tail;
    else out.push(tail);
  }
  return out;
}

/** Splits text into pieces of `size` code points (never splitting a surrogate pair). */
export function sizedPieces(text: string, size: number): string[] {
  const chars = Array.from(text);
  const out: string[] = [];
  for (let i = 0; i < chars.length; i += size) out.push(chars.slice(i, i + size).join(''));
  return out;
}

/** Splits text as the reply's chunking asks. */
export function chunkText(text: string, chunking: LlmChunking): string[] {
  if (chunking === 'token') return tokenPieces(text);
  if (chunking === 'word') return wordPieces(text);
  return sizedPieces(text, chunking.size);
}

/** Approximate token count, used for `usage`. */
export function countTokens(text: string): number {
  let n = 0;
  for (const match of text.matchAll(PRE_TOKEN)) {
    const length = match[0].length;
    n += length <= MAX_WHOLE ? 1 : Math.ceil(length / PIECE);
  }
  return n;
}
