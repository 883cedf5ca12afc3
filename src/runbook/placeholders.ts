/**
 * Placeholders in step commands: `$SEGMENT` or `${SEGMENT}`, filled from the alert's labels and from
 * flags. A step runs with them as environment variables of its shell, so a label value is never
 * spliced into the command text (an alert's labels are not trusted input); the filled text is only
 * for people (the runner's screen, the record).
 */
export const placeholderNames = [
  'SEGMENT',
  'SLO',
  'SERVICE',
  'STORE_URL',
  'PROMETHEUS_URL',
  'SLO_FILE',
] as const;
export type PlaceholderName = (typeof placeholderNames)[number];
export type PlaceholderValues = Partial<Record<PlaceholderName, string>>;

/** Which alert label fills which placeholder (Sloth's label names, as `slo generate` writes them). */
const labelSources: Readonly<Record<PlaceholderName, readonly string[]>> = {
  SEGMENT: ['segment'],
  SLO: ['sloth_slo', 'slo'],
  SERVICE: ['sloth_service', 'service'],
  STORE_URL: ['store_url'],
  PROMETHEUS_URL: ['prometheus_url'],
  SLO_FILE: ['slo_file'],
};

export interface PlaceholderUse {
  readonly name: string;
  /** 0-based offset of the `$` in the command. */
  readonly offset: number;
  readonly length: number;
}

export function isPlaceholderName(name: string): name is PlaceholderName {
  return (placeholderNames as readonly string[]).includes(name);
}

/**
 * Every `$NAME` / `${NAME}` with an upper-case name that the shell would expand: text in single
 * quotes and escaped dollars are left alone, as /bin/sh leaves them. Lower-case names are the step's
 * own shell variables and are not placeholders.
 */
export function placeholderUses(command: string, shell = true): PlaceholderUse[] {
  const uses: PlaceholderUse[] = [];
  let quote: "'" | '"' | undefined;
  for (let i = 0; i < command.length; i++) {
    const ch = command[i];
    if (!shell && ch !== '$') continue;
    if (quote === "'") {
      if (ch === "'") quote = undefined;
      continue;
    }
    if (ch === '\\') {
      i++;
      continue;
    }
    if (ch === "'" && quote === undefined) {
      quote = "'";
      continue;
    }
    if (ch === '"') {
      quote = quote === '"' ? undefined : '"';
      continue;
    }
    if (ch !== '$') continue;
    const braced = command[i + 1] === '{';
    let j = braced ? i + 2 : i + 1;
    let name = '';
    while (j < command.length && isNameChar(command[j] ?? '', name.length === 0)) name += command[j++];
    if (name.length === 0 || name !== name.toUpperCase() || !/[A-Z]/.test(name)) continue;
    if (braced && command[j] !== '}') continue;
    const length = j - i + (braced ? 1 : 0);
    uses.push({ name, offset: i, length });
    i += length - 1;
  }
  return uses;
}

function isNameChar(ch: string, first: boolean): boolean {
  return (
    (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || ch === '_' || (!first && ch >= '0' && ch <= '9')
  );
}

/** The placeholders a command uses that have no value. */
export function missingPlaceholders(command: string, values: PlaceholderValues): PlaceholderName[] {
  const names = placeholderUses(command)
    .map((use) => use.name)
    .filter(isPlaceholderName)
    .filter((name) => !values[name]);
  return [...new Set(names)];
}

/**
 * The command as a person should read it: every placeholder with a value replaced by the value.
 * `shell: false` for prose, where an apostrophe is not a quote.
 */
export function fillPlaceholders(command: string, values: PlaceholderValues, shell = true): string {
  let out = '';
  let last = 0;
  for (const use of placeholderUses(command, shell)) {
    const value = isPlaceholderName(use.name) ? values[use.name] : undefined;
    if (value === undefined || value === '') continue;
    out += command.slice(last, use.offset) + value;
    last = use.offset + use.length;
  }
  return out + command.slice(last);
}

/** Placeholder values from an alert's labels, then flags (a flag wins over a label). */
export function placeholderValues(
  labels: Readonly<Record<string, string>>,
  flags: PlaceholderValues = {},
): PlaceholderValues {
  const values: PlaceholderValues = {};
  for (const name of placeholderNames) {
    const fromLabel = labelSources[name].map((label) => labels[label]).find((value) => value);
    const value = flags[name] ?? fromLabel;
    if (value) values[name] = value;
  }
  return values;
}
