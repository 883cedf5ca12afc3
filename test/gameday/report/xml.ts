/**
 * A strict, small XML parser for the tests: enough of XML 1.0 to reject what a real parser rejects in
 * our output (unclosed or crossed tags, unquoted or duplicate attributes, a bare `<` or `&`, unknown
 * entities, two roots) and to hand back a tree to query. No XML parser is a dependency of the
 * project, and the one chart library we may add is not one.
 */

export interface XmlElement {
  readonly name: string;
  readonly attributes: Readonly<Record<string, string>>;
  readonly children: XmlElement[];
  /** Text directly inside this element (CDATA included), entities decoded. */
  text: string;
}

const nameChar = /[A-Za-z0-9_:.-]/;
const entities: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

export function parseXml(source: string): XmlElement {
  let i = 0;
  const fail = (message: string): never => {
    const line = source.slice(0, i).split('\n').length;
    throw new Error(`XML: ${message} at line ${line}`);
  };
  const decode = (raw: string): string => {
    if (raw.includes('<')) fail('bare < in text');
    return raw.replace(/&([^;\s]*);?/g, (match, body: string) => {
      if (!match.endsWith(';')) fail(`unterminated entity ${match}`);
      if (body.startsWith('#x')) return String.fromCodePoint(parseInt(body.slice(2), 16));
      if (body.startsWith('#')) return String.fromCodePoint(parseInt(body.slice(1), 10));
      const value = entities[body];
      if (value === undefined) fail(`unknown entity &${body};`);
      return value ?? '';
    });
  };
  const readName = (): string => {
    const start = i;
    while (i < source.length && nameChar.test(source[i] ?? '')) i++;
    if (i === start) fail('expected a name');
    return source.slice(start, i);
  };
  const skipSpace = (): void => {
    while (/\s/.test(source[i] ?? '')) i++;
  };
  const skipMisc = (): void => {
    for (;;) {
      skipSpace();
      if (source.startsWith('<?', i)) i = end('?>');
      else if (source.startsWith('<!--', i)) i = end('-->');
      else if (source.startsWith('<!DOCTYPE', i)) i = end('>');
      else return;
    }
  };
  const end = (marker: string): number => {
    const at = source.indexOf(marker, i);
    if (at < 0) fail(`missing ${marker}`);
    return at + marker.length;
  };
  const element = (): XmlElement => {
    if (source[i] !== '<') fail('expected <');
    i++;
    const name = readName();
    const attributes: Record<string, string> = {};
    for (;;) {
      const before = i;
      skipSpace();
      if (source.startsWith('/>', i)) {
        i += 2;
        return { name, attributes, children: [], text: '' };
      }
      if (source[i] === '>') {
        i++;
        break;
      }
      if (i === before) fail(`expected a space before an attribute of <${name}>`);
      const attr = readName();
      skipSpace();
      if (source[i] !== '=') fail(`attribute ${attr} without a value`);
      i++;
      skipSpace();
      const quote = source[i];
      if (quote !== '"' && quote !== "'") fail(`attribute ${attr} not quoted`);
      const close = source.indexOf(quote ?? '"', i + 1);
      if (close < 0) fail(`attribute ${attr} not closed`);
      if (attr in attributes) fail(`duplicate attribute ${attr}`);
      attributes[attr] = decode(source.slice(i + 1, close));
      i = close + 1;
    }
    const node: XmlElement = { name, attributes, children: [], text: '' };
    for (;;) {
      if (i >= source.length) fail(`<${name}> not closed`);
      if (source.startsWith('</', i)) {
        i += 2;
        const closing = readName();
        if (closing !== name) fail(`</${closing}> closes <${name}>`);
        skipSpace();
        if (source[i] !== '>') fail('expected >');
        i++;
        return node;
      }
      if (source.startsWith('<![CDATA[', i)) {
        const close = source.indexOf(']]>', i);
        if (close < 0) fail('CDATA not closed');
        node.text += source.slice(i + 9, close);
        i = close + 3;
      } else if (source.startsWith('<!--', i)) i = end('-->');
      else if (source[i] === '<') node.children.push(element());
      else {
        const next = source.indexOf('<', i);
        const raw = source.slice(i, next < 0 ? source.length : next);
        node.text += decode(raw);
        i += raw.length;
      }
    }
  };
  skipMisc();
  const root = element();
  skipMisc();
  if (i !== source.length) fail('content after the root element');
  return root;
}

/** Every element under (and including) `root`, depth first, in document order. */
export function descendants(root: XmlElement): XmlElement[] {
  return [root, ...root.children.flatMap(descendants)];
}
