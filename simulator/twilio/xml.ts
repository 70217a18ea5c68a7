/**
 * A small strict XML parser for TwiML: elements, attributes, text, comments, CDATA, processing
 * instructions and the five predefined entities plus character references. DOCTYPE (and with it
 * any custom entity) is refused, so hostile input cannot expand. Positions are 1-based.
 */

/** A 1-based line and column in the source text. */
export interface XmlPosition {
  readonly line: number;
  readonly column: number;
}

/** One attribute, with the position of its name. */
export interface XmlAttribute extends XmlPosition {
  readonly name: string;
  readonly value: string;
}

/** Character data (text or CDATA) inside an element. */
export interface XmlText extends XmlPosition {
  readonly kind: 'text';
  readonly text: string;
}

/** An element with its attributes in source order and its children. */
export interface XmlElement extends XmlPosition {
  readonly kind: 'element';
  readonly name: string;
  readonly attributes: readonly XmlAttribute[];
  readonly children: readonly XmlNode[];
}

/** A child of an element. */
export type XmlNode = XmlElement | XmlText;

/** A parse failure with the position where it was detected. */
export interface XmlError extends XmlPosition {
  readonly message: string;
}

/** Result of {@link parseXml}: expected failures are values. */
export type XmlParseResult = { readonly ok: true; readonly root: XmlElement } | { readonly ok: false; readonly error: XmlError };

const NAME_START = /[A-Za-z_:]/;
const NAME_CHAR = /[A-Za-z0-9._:\-]/;
const PREDEFINED: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

class XmlSyntaxError extends Error {
  readonly index: number;
  constructor(message: string, index: number) {
    super(message);
    this.index = index;
  }
}

class Parser {
  readonly #src: string;
  #i = 0;

  constructor(src: string) {
    this.#src = src;
  }

  position(index: number): XmlPosition {
    let line = 1;
    let lineStart = 0;
    for (let k = 0; k < index && k < this.#src.length; k++) {
      if (this.#src[k] === '\n') {
        line++;
        lineStart = k + 1;
      }
    }
    return { line, column: index - lineStart + 1 };
  }

  document(): XmlElement {
    if (this.#src.charCodeAt(0) === 0xfeff) this.#i = 1;
    this.#misc(true);
    if (this.#i >= this.#src.length) throw new XmlSyntaxError('the document is empty: expected a root element such as <Response>', this.#i);
    if (this.#src[this.#i] !== '<') throw new XmlSyntaxError(`expected '<' to start the root element, found ${this.#show(this.#i)}`, this.#i);
    const root = this.#element();
    this.#misc(false);
    if (this.#i < this.#src.length) {
      throw new XmlSyntaxError(`unexpected content after the root element </${root.name}>: ${this.#show(this.#i)}`, this.#i);
    }
    return root;
  }

  #show(index: number): string {
    const ch = this.#src.slice(index, index + 12);
    return ch === '' ? 'end of input' : `'${ch}'`;
  }

  /** Whitespace, comments and processing instructions outside the root element. */
  #misc(prolog: boolean): void {
    for (;;) {
      this.#skipSpace();
      if (this.#src.startsWith('<!--', this.#i)) this.#comment();
      else if (this.#src.startsWith('<?', this.#i)) this.#pi(prolog);
      else if (this.#src.startsWith('<!DOCTYPE', this.#i) || this.#src.startsWith('<!doctype', this.#i)) {
        throw new XmlSyntaxError('DOCTYPE declarations are not allowed in TwiML', this.#i);
      } else return;
    }
  }

  #skipSpace(): void {
    while (this.#i < this.#src.length && /\s/.test(this.#src[this.#i] ?? '')) this.#i++;
  }

  #comment(): void {
    const start = this.#i;
    const end = this.#src.indexOf('-->', this.#i + 4);
    if (end < 0) throw new XmlSyntaxError("unterminated comment: missing '-->'", start);
    this.#i = end + 3;
  }

  #pi(prolog: boolean): void {
    const start = this.#i;
    const end = this.#src.indexOf('?>', this.#i + 2);
    if (end < 0) throw new XmlSyntaxError("unterminated processing instruction: missing '?>'", start);
    const target = /^<\?([^\s?]*)/.exec(this.#src.slice(start, end))?.[1] ?? '';
    if (target.toLowerCase() === 'xml' && !(prolog && start === (this.#src.charCodeAt(0) === 0xfeff ? 1 : 0))) {
      throw new XmlSyntaxError('the XML declaration <?xml …?> must be at the very start of the document', start);
    }
    this.#i = end + 2;
  }

  #name(what: string): string {
    const start = this.#i;
    if (!NAME_START.test(this.#src[this.#i] ?? '')) {
      throw new XmlSyntaxError(`expected ${what}, found ${this.#show(this.#i)}`, this.#i);
    }
    this.#i++;
    while (NAME_CHAR.test(this.#src[this.#i] ?? '')) this.#i++;
    return this.#src.slice(start, this.#i);
  }

  #element(): XmlElement {
    const start = this.#i;
    this.#i++; // '<'
    const name = this.#name('an element name after \'<\'');
    const pos = this.position(start);
    const attributes: XmlAttribute[] = [];
    for (;;) {
      const hadSpace = this.#i < this.#src.length && /\s/.test(this.#src[this.#i] ?? '');
      this.#skipSpace();
      if (this.#i >= this.#src.length) throw new XmlSyntaxError(`unterminated start tag <${name}>`, start);
      if (this.#src.startsWith('/>', this.#i)) {
        this.#i += 2;
        return { kind: 'element', name, attributes, children: [], ...pos };
      }
      if (this.#src[this.#i] === '>') {
        this.#i++;
        break;
      }
      if (!hadSpace) throw new XmlSyntaxError(`expected whitespace, '>' or '/>' in <${name}>, found ${this.#show(this.#i)}`, this.#i);
      attributes.push(this.#attribute(name, attributes));
    }
    const children = this.#content(name, start);
    return { kind: 'element', name, attributes, children, ...pos };
  }

  #attribute(element: string, seen: readonly XmlAttribute[]): XmlAttribute {
    const start = this.#i;
    const name = this.#name(`an attribute name in <${element}>`);
    if (seen.some((a) => a.name === name)) throw new XmlSyntaxError(`duplicate attribute '${name}' in <${element}>`, start);
    this.#skipSpace();
    if (this.#src[this.#i] !== '=') throw new XmlSyntaxError(`attribute '${name}' in <${element}> needs '=' and a quoted value`, this.#i);
    this.#i++;
    this.#skipSpace();
    const quote = this.#src[this.#i];
    if (quote !== '"' && quote !== "'") {
      throw new XmlSyntaxError(`the value of attribute '${name}' in <${element}> must be quoted, found ${this.#show(this.#i)}`, this.#i);
    }
    const valueStart = this.#i + 1;
    const end = this.#src.indexOf(quote, valueStart);
    if (end < 0) throw new XmlSyntaxError(`unterminated value of attribute '${name}' in <${element}>`, start);
    const rawValue = this.#src.slice(valueStart, end);
    const lt = rawValue.indexOf('<');
    if (lt >= 0) throw new XmlSyntaxError(`'<' is not allowed in the value of attribute '${name}' (write &lt;)`, valueStart + lt);
    this.#i = end + 1;
    // XML attribute-value normalisation: literal tabs and line breaks become spaces.
    const value = this.#decode(rawValue.replace(/\r\n|[\t\n\r]/g, ' '), valueStart);
    return { name, value, ...this.position(start) };
  }

  #content(name: string, openIndex: number): XmlNode[] {
    const children: XmlNode[] = [];
    let text = '';
    let textStart = -1;
    const flush = (): void => {
      if (text !== '') children.push({ kind: 'text', text, ...this.position(textStart) });
      text = '';
      textStart = -1;
    };
    for (;;) {
      if (this.#i >= this.#src.length) throw new XmlSyntaxError(`element <${name}> is never closed: missing </${name}>`, openIndex);
      if (this.#src.startsWith('</', this.#i)) {
        flush();
        const closeStart = this.#i;
        this.#i += 2;
        const closing = this.#name('an element name after \'</\'');
        this.#skipSpace();
        if (this.#src[this.#i] !== '>') throw new XmlSyntaxError(`expected '>' to end </${closing}>`, this.#i);
        this.#i++;
        if (closing !== name) {
          throw new XmlSyntaxError(`mismatched closing tag: expected </${name}> but found </${closing}>`, closeStart);
        }
        return children;
      }
      if (this.#src.startsWith('<!--', this.#i)) {
        this.#comment();
      } else if (this.#src.startsWith('<![CDATA[', this.#i)) {
        const end = this.#src.indexOf(']]>', this.#i + 9);
        if (end < 0) throw new XmlSyntaxError("unterminated CDATA section: missing ']]>'", this.#i);
        if (textStart < 0) textStart = this.#i;
        text += this.#src.slice(this.#i + 9, end);
        this.#i = end + 3;
      } else if (this.#src.startsWith('<?', this.#i)) {
        this.#pi(false);
      } else if (this.#src.startsWith('<!', this.#i)) {
        throw new XmlSyntaxError(`unsupported markup declaration inside <${name}>`, this.#i);
      } else if (this.#src[this.#i] === '<') {
        flush();
        children.push(this.#element());
      } else {
        const next = this.#src.indexOf('<', this.#i);
        const end = next < 0 ? this.#src.length : next;
        if (textStart < 0) textStart = this.#i;
        text += this.#decode(this.#src.slice(this.#i, end), this.#i);
        this.#i = end;
      }
    }
  }

  #decode(raw: string, offset: number): string {
    return raw.replace(/&([^;&\s<]*);?/g, (match, body: string, at: number) => {
      const where = offset + at;
      if (!match.endsWith(';')) throw new XmlSyntaxError(`'&' must start an entity such as &amp; (found '${match}')`, where);
      const predefined = PREDEFINED[body];
      if (predefined !== undefined) return predefined;
      const num = /^#(?:x([0-9a-fA-F]+)|([0-9]+))$/.exec(body);
      if (num) {
        const code = num[1] !== undefined ? parseInt(num[1], 16) : parseInt(num[2] ?? '', 10);
        if (code === 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) {
          throw new XmlSyntaxError(`character reference '${match}' is not a valid character`, where);
        }
        return String.fromCodePoint(code);
      }
      throw new XmlSyntaxError(`unknown entity '${match}' (only &amp; &lt; &gt; &quot; &apos; and &#…; are allowed)`, where);
    });
  }
}

/** Parses an XML document into its root element, or returns the first syntax error with its position. */
export function parseXml(source: string): XmlParseResult {
  const parser = new Parser(source);
  try {
    return { ok: true, root: parser.document() };
  } catch (error) {
    if (error instanceof XmlSyntaxError) return { ok: false, error: { message: error.message, ...parser.position(error.index) } };
    throw error;
  }
}

/** The element children of `element`, skipping text. */
export function childElements(element: XmlElement): XmlElement[] {
  return element.children.filter((c): c is XmlElement => c.kind === 'element');
}
