import { type Document, isAlias, isMap, isScalar, isSeq, type Node, parseDocument, visit } from 'yaml';

/** A 1-based position in a source text. */
export interface SourcePosition {
  readonly line: number;
  readonly column: number;
}

/** A YAML syntax problem (or warning) with its position. */
export interface YamlSyntaxProblem extends SourcePosition {
  readonly message: string;
}

/** Whether a problem is about a mapping key itself (unknown key) or the value under it. */
export type PositionTarget = 'key' | 'value';

/** Splits a JSON pointer (`/calls/0/caller`) into unescaped segments. */
export function pointerSegments(pointer: string): string[] {
  if (pointer === '' || pointer === '/') return [];
  return pointer
    .replace(/^\//, '')
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** A parsed YAML document that can map JSON pointers back to line and column. */
export class YamlSource {
  /** Offsets at which each line starts. Own index: yaml's LineCounter misses newlines inside some broken tokens. */
  readonly #lineStarts: number[] = [0];
  readonly #doc: Document.Parsed;

  constructor(text: string) {
    for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) this.#lineStarts.push(i + 1);
    // Own messages without the source excerpt; positions come from the line index.
    this.#doc = parseDocument(text, { keepSourceTokens: true, prettyErrors: false, uniqueKeys: true });
  }

  /** YAML errors and warnings (syntax, duplicate keys, multiple documents, unknown tags, dangling aliases), in source order. */
  syntaxProblems(): YamlSyntaxProblem[] {
    const problems = [...this.#doc.errors, ...this.#doc.warnings].map((e) => ({
      ...this.positionOf(e.pos[0]),
      message: e.code === 'MULTIPLE_DOCS' ? 'one scenario per file: remove the --- document separator' : e.message.replace(/\s+/g, ' ').trim(),
    }));
    if (this.#doc.errors.length === 0) {
      visit(this.#doc, {
        Alias: (_key, node) => {
          if (node.resolve(this.#doc) === undefined) {
            problems.push({ ...this.positionOf(rangeStart(node) ?? 0), message: `alias *${node.source} has no anchor &${node.source} before it` });
          }
        },
      });
    }
    return problems.sort((a, b) => a.line - b.line || a.column - b.column);
  }

  /** The document as plain data (aliases resolved, at most 100 expansions), or why it cannot be built. */
  toValue(): { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly problem: YamlSyntaxProblem } {
    try {
      return { ok: true, value: this.#doc.toJS({ maxAliasCount: 100 }) };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      return { ok: false, problem: { line: 1, column: 1, message } };
    }
  }

  /**
   * The position of what `pointer` names: the key of the last segment (`target: 'key'`) or its
   * value. When the path does not exist (a missing key), the deepest node that does.
   */
  locate(pointer: string, target: PositionTarget = 'value'): SourcePosition {
    let node: unknown = this.#doc.contents;
    let at: number | undefined = rangeStart(node);
    const segments = pointerSegments(pointer);
    for (let i = 0; i < segments.length; i++) {
      if (isAlias(node)) node = node.resolve(this.#doc);
      const segment = segments[i] ?? '';
      const last = i === segments.length - 1;
      if (isMap(node)) {
        const pair = node.items.find((p) => keyText(p.key) === segment);
        if (pair === undefined) break;
        const keyStart = rangeStart(pair.key);
        if (last && target === 'key' && keyStart !== undefined) return this.positionOf(keyStart);
        node = pair.value;
        at = rangeStart(node) ?? keyStart ?? at;
      } else if (isSeq(node)) {
        const item: unknown = node.items[Number(segment)];
        if (item === undefined) break;
        node = item;
        at = rangeStart(node) ?? at;
      } else {
        break;
      }
    }
    return this.positionOf(at ?? 0);
  }

  /** 1-based line and column of a character offset. */
  positionOf(offset: number): SourcePosition {
    const starts = this.#lineStarts;
    let low = 0;
    let high = starts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if ((starts[mid] ?? 0) <= offset) low = mid;
      else high = mid - 1;
    }
    return { line: low + 1, column: offset - (starts[low] ?? 0) + 1 };
  }
}

function rangeStart(node: unknown): number | undefined {
  const range = (node as Node | null | undefined)?.range;
  return range ? range[0] : undefined;
}

function keyText(key: unknown): string | undefined {
  if (isScalar(key)) return String(key.value);
  return undefined;
}
