/**
 * Cumulative partial transcripts for one utterance (conversationrelay.md §1.2: the fake sends
 * cumulative text). Never includes the full text, which is the final `last:true` prompt.
 * `spec` is the exact partial texts, a count (spread evenly over the word prefixes), or
 * undefined for one partial per word boundary.
 */
export function cumulativePartials(text: string, spec?: number | readonly string[]): string[] {
  if (typeof spec === 'object') return [...spec];
  const words = text.split(/(?<=\s)/).filter((w) => w.trim() !== '');
  const prefixes: string[] = [];
  let acc = '';
  for (const word of words.slice(0, -1)) {
    acc += word;
    prefixes.push(acc.trimEnd());
  }
  const count = spec === undefined ? prefixes.length : Math.max(0, Math.min(Math.floor(spec), prefixes.length));
  if (count === prefixes.length) return prefixes;
  return Array.from({ length: count }, (_, i) => prefixes[Math.ceil(((i + 1) * prefixes.length) / (count + 1)) - 1] ?? '');
}
