import { formatDuration } from '../core/duration.js';
import { ExitCode, InputError, formatFinding } from '../core/errors.js';
import { loadSloFiles } from '../slo/load.js';
import type { CommandContext } from './context.js';

export interface SloValidateOptions {
  readonly paths: readonly string[];
  readonly json: boolean;
}

export async function runSloValidate(options: SloValidateOptions, ctx: CommandContext): Promise<ExitCode> {
  const { io } = ctx;
  try {
    const slos = await loadSloFiles(options.paths, { defaultPeriodMs: 30 * 86_400_000, cwd: io.cwd });
    if (options.json) {
      const summary = slos.map((slo) => ({
        id: slo.id,
        service: slo.service,
        slo: slo.baseName,
        segment: slo.segment?.value ?? null,
        objective: slo.objective,
        period: formatDuration(slo.periodMs),
        format: slo.source.format,
        file: slo.source.file,
      }));
      io.stdout.write(`${JSON.stringify({ valid: true, slos: summary }, null, 2)}\n`);
    } else {
      const files = new Set(slos.map((s) => s.source.file));
      io.stdout.write(`ok: ${slos.length} SLOs (after segment expansion) in ${files.size} file(s)\n`);
    }
    return ExitCode.ok;
  } catch (error) {
    if (options.json && error instanceof InputError) {
      const findings = error.findings.map((f) => ({
        ...f.location,
        message: f.message,
        text: formatFinding(f),
      }));
      io.stdout.write(`${JSON.stringify({ valid: false, findings }, null, 2)}\n`);
      return ExitCode.badInput;
    }
    throw error;
  }
}
