import type { Finding } from '../../core/errors.js';
import type { YamlDocument } from '../../core/yaml-source.js';
import type { Slo } from '../model.js';

export interface SpecLoadOptions {
  /** Period for specs that carry none (Sloth specs); `--default-slo-period`, 30d by default. */
  readonly defaultPeriodMs: number;
  /** OpenSLO `kind: SLI` documents from every input file, by metadata.name, for `indicatorRef`. */
  readonly indicators?: ReadonlyMap<string, IndicatorDocument>;
}

export interface IndicatorDocument {
  readonly doc: YamlDocument;
  /** The SLI's `spec`, still unvalidated. */
  readonly spec: unknown;
}

/** What one document yields: SLOs when valid, findings (with file:line:col) when not. */
export interface SpecLoadOutcome {
  readonly slos: readonly Slo[];
  readonly findings: readonly Finding[];
}

/** One loader per input format, chosen by the document's `apiVersion` (sloth's `version`). */
export interface SpecFormatLoader {
  readonly apiVersions: readonly string[];
  load(doc: YamlDocument, options: SpecLoadOptions): SpecLoadOutcome;
}
