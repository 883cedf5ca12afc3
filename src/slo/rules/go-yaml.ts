import { formatGoFloat } from './go-float.js';
import { chooseStyle, escapeDoubleQuoted, isBreak, isPrintable } from './go-yaml-scalar.js';

/**
 * A small YAML emitter that writes block YAML the way Go's gopkg.in/yaml.v2 does (Sloth marshals
 * its rules with it): two-space indents, sequences not indented under their key, scalar styles
 * chosen by yaml.v2's rules, and long plain or quoted scalars folded at the first space past
 * column 80. The `yaml` package folds at other points, so it cannot reproduce Sloth's files.
 * Mirrors libyaml's emitter (emitterc.go) for the block subset we print; no anchors, tags or flow.
 */
export type YamlNode = string | number | readonly YamlNode[] | ReadonlyMap<string, YamlNode>;

const bestIndent = 2;
const bestWidth = 80;

export function emitGoYaml(root: ReadonlyMap<string, YamlNode>): string {
  const emitter = new Emitter();
  emitter.mapping(root, 0);
  emitter.writeIndent(0);
  return emitter.text();
}

class Emitter {
  private readonly out: string[] = [];
  private column = 0;
  private whitespace = true;
  private indention = true;

  text(): string {
    return this.out.join('');
  }

  mapping(map: ReadonlyMap<string, YamlNode>, indent: number): void {
    for (const [key, value] of map) {
      this.writeIndent(indent);
      this.scalar(key, indent + bestIndent, true);
      this.indicator(':', false, false, false);
      this.value(value, indent);
    }
  }

  private value(node: YamlNode, indent: number): void {
    if (typeof node === 'string' || typeof node === 'number') {
      this.scalar(
        typeof node === 'number' ? formatGoFloat(node) : node,
        indent + bestIndent,
        false,
        typeof node === 'number',
      );
    } else if (isSequence(node)) {
      if (node.length === 0) return this.indicator('[]', true, false, false);
      // yaml.v2 does not indent a sequence that is a mapping value.
      for (const item of node) this.sequenceItem(item, indent);
    } else {
      if (node.size === 0) return this.indicator('{}', true, false, false);
      this.mapping(node, indent + bestIndent);
    }
  }

  private sequenceItem(item: YamlNode, indent: number): void {
    this.writeIndent(indent);
    this.indicator('-', true, false, true);
    if (typeof item === 'string' || typeof item === 'number') this.value(item, indent);
    else if (isSequence(item)) throw new Error('nested sequences are not supported');
    else this.mapping(item, indent + bestIndent);
  }

  private scalar(value: string, indent: number, simpleKey: boolean, isNumber = false): void {
    const chars = [...value];
    const style = isNumber ? 'plain' : chooseStyle(value, chars, simpleKey);
    const allowBreaks = !simpleKey;
    if (style === 'plain') this.plain(chars, indent, allowBreaks);
    else if (style === 'single') this.singleQuoted(chars, indent, allowBreaks);
    else if (style === 'double') this.doubleQuoted(chars, indent, allowBreaks);
    else this.literal(chars, indent);
  }

  private plain(chars: readonly string[], indent: number, allowBreaks: boolean): void {
    if (!this.whitespace) this.put(' ');
    let spaces = false;
    chars.forEach((ch, i) => {
      if (ch === ' ') {
        if (allowBreaks && !spaces && this.column > bestWidth && chars[i + 1] !== ' ')
          this.writeIndent(indent);
        else this.put(ch);
        spaces = true;
      } else {
        this.put(ch);
        this.indention = false;
        spaces = false;
      }
    });
    this.whitespace = false;
    this.indention = false;
  }

  private singleQuoted(chars: readonly string[], indent: number, allowBreaks: boolean): void {
    this.indicator("'", true, false, false);
    let spaces = false;
    chars.forEach((ch, i) => {
      if (ch === ' ') {
        const inside = i > 0 && i < chars.length - 1;
        if (allowBreaks && !spaces && this.column > bestWidth && inside && chars[i + 1] !== ' ') {
          this.writeIndent(indent);
        } else {
          this.put(ch);
        }
        spaces = true;
      } else {
        if (ch === "'") this.put("'");
        this.put(ch);
        this.indention = false;
        spaces = false;
      }
    });
    this.indicator("'", false, false, false);
  }

  private doubleQuoted(chars: readonly string[], indent: number, allowBreaks: boolean): void {
    this.indicator('"', true, false, false);
    let spaces = false;
    chars.forEach((ch, i) => {
      const code = ch.codePointAt(0) ?? 0;
      if (!isPrintable(code) || code === 0xfeff || isBreak(code) || ch === '"' || ch === '\\') {
        this.write(escapeDoubleQuoted(code));
        spaces = false;
      } else if (ch === ' ') {
        if (allowBreaks && !spaces && this.column > bestWidth && i > 0 && i < chars.length - 1) {
          this.writeIndent(indent);
          if (chars[i + 1] === ' ') this.put('\\');
        } else {
          this.put(ch);
        }
        spaces = true;
      } else {
        this.put(ch);
        spaces = false;
      }
    });
    this.indicator('"', false, false, false);
  }

  private literal(chars: readonly string[], indent: number): void {
    this.indicator('|', true, false, false);
    const first = chars[0];
    if (first === ' ' || (first !== undefined && isBreak(first.codePointAt(0) ?? 0))) {
      this.indicator(String(bestIndent), false, false, false);
    }
    const chomp = chompHint(chars);
    if (chomp) this.indicator(chomp, false, false, false);
    this.newline();
    this.indention = true;
    this.whitespace = true;
    let breaks = true;
    for (const ch of chars) {
      if (ch === '\n') {
        this.newline();
        this.indention = true;
        breaks = true;
      } else {
        if (breaks) this.writeIndent(indent);
        this.put(ch);
        this.indention = false;
        breaks = false;
      }
    }
  }

  writeIndent(indent: number): void {
    if (!this.indention || this.column > indent || (this.column === indent && !this.whitespace))
      this.newline();
    while (this.column < indent) this.put(' ');
    this.whitespace = true;
    this.indention = true;
  }

  private indicator(
    text: string,
    needWhitespace: boolean,
    isWhitespace: boolean,
    isIndention: boolean,
  ): void {
    if (needWhitespace && !this.whitespace) this.put(' ');
    this.write(text);
    this.whitespace = isWhitespace;
    this.indention = this.indention && isIndention;
  }

  private put(ch: string): void {
    this.out.push(ch);
    this.column++;
  }

  private write(text: string): void {
    for (const ch of text) this.put(ch);
  }

  private newline(): void {
    this.out.push('\n');
    this.column = 0;
  }
}

function isSequence(node: YamlNode): node is readonly YamlNode[] {
  return Array.isArray(node);
}

/** `-` strips a missing final newline, `+` keeps several; one final newline needs no hint. */
function chompHint(chars: readonly string[]): string | undefined {
  const last = chars.length - 1;
  if (last < 0 || chars[last] !== '\n') return '-';
  if (last === 0 || chars[last - 1] === '\n') return '+';
  return undefined;
}
