/**
 * Just enough of the POSIX shell grammar to find the commands a step runs: words (quotes and
 * escapes removed), split into simple commands at `&&`, `||`, `|`, `;`, `&`, parentheses and
 * newlines, `#` comments dropped. Expansions stay as written. Used by `runbook lint` to find the
 * `shopsre` invocations of a step; the step itself runs with a real /bin/sh.
 */
export interface SimpleCommand {
  readonly words: readonly string[];
  /** 0-based offset of the first word in the text. */
  readonly offset: number;
}

const operatorChars = new Set(['&', '|', ';', '(', ')', '\n']);

export function simpleCommands(text: string): SimpleCommand[] {
  const commands: SimpleCommand[] = [];
  let words: string[] = [];
  let offset = 0;
  let word: string | undefined;
  const endWord = (): void => {
    if (word !== undefined) words.push(word);
    word = undefined;
  };
  const endCommand = (): void => {
    endWord();
    if (words.length > 0) commands.push({ words, offset });
    words = [];
  };
  const startWord = (at: number): void => {
    if (word === undefined) {
      if (words.length === 0) offset = at;
      word = '';
    }
  };
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] ?? '';
    if (ch === '\\') {
      if (text[i + 1] === '\n') {
        i++;
        continue;
      }
      startWord(i);
      word += text[++i] ?? '';
      continue;
    }
    if (ch === "'") {
      startWord(i);
      const end = text.indexOf("'", i + 1);
      const close = end === -1 ? text.length : end;
      word += text.slice(i + 1, close);
      i = close;
      continue;
    }
    if (ch === '"') {
      startWord(i);
      for (i++; i < text.length && text[i] !== '"'; i++) {
        if (text[i] === '\\' && ['"', '\\', '$', '`'].includes(text[i + 1] ?? '')) i++;
        word += text[i] ?? '';
      }
      continue;
    }
    if (ch === '#' && word === undefined) {
      while (i + 1 < text.length && text[i + 1] !== '\n') i++;
      continue;
    }
    if (ch === ' ' || ch === '\t') {
      endWord();
      continue;
    }
    if (operatorChars.has(ch)) {
      endCommand();
      continue;
    }
    startWord(i);
    word += ch;
  }
  endCommand();
  return commands;
}

/** The arguments of a simple command that runs `name`, past any leading `VAR=value` assignments. */
export function argumentsOf(command: SimpleCommand, name: string): string[] | undefined {
  const words = [...command.words];
  while (words.length > 0 && /^[A-Za-z_][A-Za-z0-9_]*=/.test(words[0] ?? '')) words.shift();
  const [program, ...args] = words;
  return program === name ? args : undefined;
}
