import type { Evaluation } from './evaluate.js';

/**
 * GitHub Actions workflow commands, one per policy match: `::error` for a failing step, `::warning`
 * for a warning, pinned to the SLO's spec file so the annotation shows on the pull request.
 * The runner reads workflow commands from stdout and stderr alike, so they can go with the logs
 * and leave stdout to the report.
 */
export function githubAnnotations(evaluation: Evaluation): string[] {
  return evaluation.slos.flatMap((result) =>
    result.reasons.map((reason) => {
      const command = reason.action === 'fail' ? 'error' : 'warning';
      const state =
        result.verdict === 'no-data' ? 'has too few events' : reason.action === 'fail' ? 'failed' : 'warning';
      const title = `SLO ${result.slo.id} ${state}`;
      return `::${command} file=${property(result.slo.source.file)},title=${property(title)}::${data(`${reason.step}: ${reason.message}`)}`;
    }),
  );
}

/** Escapes as @actions/core's `escapeData` does: the message ends at a newline otherwise. */
function data(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** Property values also end at `,` and `:` (`escapeProperty`). */
function property(text: string): string {
  return data(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}
