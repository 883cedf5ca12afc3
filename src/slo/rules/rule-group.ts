/** Prometheus rule groups as plain data: what the generator returns and the renderers print. */

export type Labels = Readonly<Record<string, string>>;

export interface RecordingRule {
  readonly record: string;
  readonly expr: string;
  readonly labels: Labels;
}

export interface AlertingRule {
  readonly alert: string;
  readonly expr: string;
  /** Prometheus duration text (`5m`); absent renders no `for:`. */
  readonly for?: string;
  readonly labels: Labels;
  readonly annotations: Labels;
}

export type Rule = RecordingRule | AlertingRule;

export interface RuleGroup {
  readonly name: string;
  readonly rules: readonly Rule[];
}

/** Which generator's output to reproduce. */
export type RuleFlavour = 'sloth' | 'shopsre';

export interface GenerateOptions {
  /** `'sloth'` renders byte-for-byte what Sloth renders; default: Sloth's rules plus shopsre's extensions. */
  readonly compat?: 'sloth';
  /** Value of the `sloth_version` info label. */
  readonly version: string;
  /** Value of the `sloth_mode` info label, e.g. `cli-gen-prom`. */
  readonly mode: string;
}

export function isRecordingRule(rule: Rule): rule is RecordingRule {
  return 'record' in rule;
}
