/**
 * How Go's gopkg.in/yaml.v2 writes one string: the scalar style it picks and the escapes of its
 * double-quoted style, after libyaml's emitter (emitterc.go) and yaml.v2's encoder (encode.go).
 */
type ScalarStyle = 'plain' | 'single' | 'double' | 'literal';

/** yaml.v2's encoder first picks literal for multi-line text, plain if it reads back as a string. */
export function chooseStyle(value: string, chars: readonly string[], simpleKey: boolean): ScalarStyle {
  const analysis = analyzeScalar(chars);
  let style: ScalarStyle = value.includes('\n') ? 'literal' : readsBackAsString(value) ? 'plain' : 'double';
  if (simpleKey && analysis.multiline) style = 'double';
  if (style === 'plain' && (!analysis.blockPlainAllowed || (value === '' && simpleKey))) style = 'single';
  if (style === 'single' && !analysis.singleQuotedAllowed) style = 'double';
  if (style === 'literal' && (!analysis.blockAllowed || simpleKey)) style = 'double';
  return style;
}

interface ScalarAnalysis {
  readonly multiline: boolean;
  readonly blockPlainAllowed: boolean;
  readonly singleQuotedAllowed: boolean;
  readonly blockAllowed: boolean;
}

/** libyaml's yaml_emitter_analyze_scalar, block context only. */
function analyzeScalar(chars: readonly string[]): ScalarAnalysis {
  if (chars.length === 0) {
    return { multiline: false, blockPlainAllowed: true, singleQuotedAllowed: true, blockAllowed: false };
  }
  const text = chars.join('');
  let blockIndicators = text.startsWith('---') || text.startsWith('...');
  let lineBreaks = false;
  let special = false;
  let spaceBreak = false;
  let breakSpace = false;
  let previousSpace = false;
  let previousBreak = false;
  let precededByWhitespace = true;
  chars.forEach((ch, i) => {
    const next = chars[i + 1];
    const followedByWhitespace = next === undefined || next === ' ' || next === '\t';
    if (i === 0) {
      if ('#,[]{}&*!|>\'"%@`'.includes(ch)) blockIndicators = true;
      if ((ch === '?' || ch === ':' || ch === '-') && followedByWhitespace) blockIndicators = true;
    } else if ((ch === ':' && followedByWhitespace) || (ch === '#' && precededByWhitespace)) {
      blockIndicators = true;
    }
    const code = ch.codePointAt(0) ?? 0;
    if (!isPrintable(code)) special = true;
    if (ch === ' ') {
      if (previousBreak) breakSpace = true;
      previousSpace = true;
      previousBreak = false;
    } else if (isBreak(code)) {
      lineBreaks = true;
      if (previousSpace) spaceBreak = true;
      previousSpace = false;
      previousBreak = true;
    } else {
      previousSpace = false;
      previousBreak = false;
    }
    precededByWhitespace = ch === ' ' || ch === '\t' || isBreak(code);
  });
  const first = chars[0] ?? '';
  const last = chars[chars.length - 1] ?? '';
  const edgeWhitespace =
    first === ' ' || last === ' ' || isBreak(first.codePointAt(0) ?? 0) || isBreak(last.codePointAt(0) ?? 0);
  return {
    multiline: lineBreaks,
    blockPlainAllowed: !(
      edgeWhitespace ||
      breakSpace ||
      spaceBreak ||
      special ||
      lineBreaks ||
      blockIndicators
    ),
    singleQuotedAllowed: !(breakSpace || spaceBreak || special),
    blockAllowed: !(last === ' ' || spaceBreak || special),
  };
}

/** libyaml's is_printable, by code point (it rejects tab, CR and characters beyond the BMP). */
export function isPrintable(code: number): boolean {
  return (
    code === 0x0a ||
    (code >= 0x20 && code <= 0x7e) ||
    (code >= 0xa0 && code <= 0xd7ff) ||
    (code >= 0xe000 && code <= 0xfffd && code !== 0xfeff)
  );
}

export function isBreak(code: number): boolean {
  return code === 0x0a || code === 0x0d || code === 0x85 || code === 0x2028 || code === 0x2029;
}

const shortEscapes: Readonly<Record<number, string>> = {
  0x00: '0',
  0x07: 'a',
  0x08: 'b',
  0x09: 't',
  0x0a: 'n',
  0x0b: 'v',
  0x0c: 'f',
  0x0d: 'r',
  0x1b: 'e',
  0x22: '"',
  0x5c: '\\',
  0x85: 'N',
  0xa0: '_',
  0x2028: 'L',
  0x2029: 'P',
};

export function escapeDoubleQuoted(code: number): string {
  const short = shortEscapes[code];
  if (short !== undefined) return `\\${short}`;
  const hex = code.toString(16).toUpperCase();
  if (code <= 0xff) return `\\x${hex.padStart(2, '0')}`;
  if (code <= 0xffff) return `\\u${hex.padStart(4, '0')}`;
  return `\\U${hex.padStart(8, '0')}`;
}

/**
 * Whether yaml.v2 would read the plain text back as a string (YAML 1.1 resolution): not a bool
 * (`yes`, `on`, …), null, number, base-60 float or timestamp. Those are double-quoted instead.
 */
function readsBackAsString(value: string): boolean {
  if (value === '' || yaml11Keywords.has(value)) return false;
  const first = value[0] ?? '';
  if (!/[-+0-9.]/.test(first)) return true;
  const plain = value.replace(/_/g, '');
  if (/^[-+]?(0[xX][0-9a-fA-F]+|0[oO]?[0-7]+|0[bB][01]+|[0-9]+)$/.test(plain)) return false;
  if (/^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/.test(plain)) return false;
  if (/^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$/.test(value)) return false;
  return !/^\d{4}-\d{1,2}-\d{1,2}([Tt ]\d{1,2}:\d{1,2}:\d{1,2}(\.\d*)?(Z|[-+]\d{1,2}(:\d{2})?)?)?$/.test(
    value,
  );
}

const yaml11Keywords: ReadonlySet<string> = new Set(
  [
    'y Y yes Yes YES n N no No NO true True TRUE false False FALSE on On ON off Off OFF',
    '~ null Null NULL .nan .NaN .NAN .inf .Inf .INF +.inf +.Inf +.INF -.inf -.Inf -.INF <<',
  ]
    .join(' ')
    .split(' '),
);
