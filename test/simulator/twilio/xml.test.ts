import { describe, expect, it } from 'vitest';
import { childElements, parseXml } from '../../../simulator/twilio/xml.ts';

function errorOf(source: string): { message: string; line: number; column: number } {
  const result = parseXml(source);
  if (result.ok) throw new Error(`expected a parse error for ${source}`);
  return result.error;
}

describe('parseXml', () => {
  it('parses declaration, comments, attributes in both quote styles, entities and CDATA', () => {
    const result = parseXml(
      '\uFEFF<?xml version="1.0" encoding="UTF-8"?>\n<!-- hi --><Response a="1 &amp; 2" b=\'&lt;x&gt; &#65;&#x42;\'>\n  <Say>Tom &quot;&apos;<![CDATA[<raw>]]></Say><Hangup/>\n</Response>\n<!-- bye -->',
    );
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.root.name).toBe('Response');
    expect(result.root.attributes.map((a) => [a.name, a.value])).toEqual([
      ['a', '1 & 2'],
      ['b', '<x> AB'],
    ]);
    const [say, hangup] = childElements(result.root);
    expect(say?.children).toEqual([{ kind: 'text', text: `Tom "'<raw>`, line: 3, column: 8 }]);
    expect(hangup).toMatchObject({ name: 'Hangup', line: 3, column: 47, children: [] });
  });

  it('normalises literal line breaks and tabs in attribute values to spaces', () => {
    const result = parseXml('<a v="x\n\ty"/>');
    expect(result.ok && result.root.attributes[0]?.value).toBe('x  y');
  });

  it.each([
    ['<Response><Connect></Response>', 'mismatched closing tag: expected </Connect> but found </Response>', 1, 20],
    ['<Response>', 'element <Response> is never closed: missing </Response>', 1, 1],
    ['<a x="1" x="2"/>', "duplicate attribute 'x' in <a>", 1, 10],
    ['<a x=1/>', "the value of attribute 'x' in <a> must be quoted, found '1/>'", 1, 6],
    ['<a>\n &nbsp;</a>', "unknown entity '&nbsp;' (only &amp; &lt; &gt; &quot; &apos; and &#…; are allowed)", 2, 2],
    ['<a>R & D</a>', "'&' must start an entity such as &amp; (found '&')", 1, 6],
    ['<!DOCTYPE a [<!ENTITY x "y">]><a/>', 'DOCTYPE declarations are not allowed in TwiML', 1, 1],
    ['<a/><b/>', "unexpected content after the root element </a>: '<b/>'", 1, 5],
    ['', 'the document is empty: expected a root element such as <Response>', 1, 1],
    ['hello', "expected '<' to start the root element, found 'hello'", 1, 1],
    ['<a x="1"y="2"/>', "expected whitespace, '>' or '/>' in <a>, found 'y=\"2\"/>'", 1, 9],
    ['<a v="<"/>', "'<' is not allowed in the value of attribute 'v' (write &lt;)", 1, 7],
    [' <?xml version="1.0"?><a/>', 'the XML declaration <?xml …?> must be at the very start of the document', 1, 2],
    ['<a><!-- never closed</a>', "unterminated comment: missing '-->'", 1, 4],
    ['<a>&#0;</a>', "character reference '&#0;' is not a valid character", 1, 4],
  ])('rejects %j with a positioned message', (source, message, line, column) => {
    expect(errorOf(source)).toEqual({ message, line, column });
  });
});
