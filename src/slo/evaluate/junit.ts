import { attr, xml } from '../../core/xml-escape.js';
import type { Evaluation, SloResult } from './evaluate.js';
import { budgetCell, businessOutcomesCell, segmentLabel, sliCell, tierColumn } from './format.js';
import { formatObjective } from './number-format.js';

/**
 * JUnit XML for CI test reporters: one testsuite per service, one testcase per SLO and segment, a
 * `<failure>` when the policy fails it. Warnings pass, with their text in `<system-out>`, since JUnit
 * has no warning state. An SLO without enough data was not judged: `<skipped>`, JUnit's word for a
 * case that did not run, or a `<failure>` when data is required.
 */
export function renderJunit(evaluation: Evaluation): string {
  const failed = (r: SloResult): boolean => r.reasons.some((reason) => reason.action === 'fail');
  const skipped = (r: SloResult): boolean => r.verdict === 'no-data' && !failed(r);
  const failures = evaluation.slos.filter(failed).length;
  // JUnit's schema wants a timestamp without a zone; ours is UTC.
  const timestamp = new Date(evaluation.atMs).toISOString().slice(0, 19);
  const services = [...new Set(evaluation.slos.map((r) => r.slo.service))];
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="shopsre slo check" tests="${evaluation.slos.length}" failures="${failures}" errors="0" time="0">`,
  ];
  for (const service of services) {
    const results = evaluation.slos.filter((r) => r.slo.service === service);
    const suiteFailures = results.filter(failed).length;
    const suiteSkipped = results.filter(skipped).length;
    lines.push(
      `  <testsuite name="${attr(service)}" tests="${results.length}" failures="${suiteFailures}" errors="0" skipped="${suiteSkipped}" timestamp="${timestamp}" time="0">`,
    );
    for (const result of results) lines.push(...testcase(result, evaluation));
    lines.push('  </testsuite>');
  }
  lines.push('</testsuites>');
  return `${lines.join('\n')}\n`;
}

function testcase(result: SloResult, evaluation: Evaluation): string[] {
  const { slo } = result;
  const name = slo.segment ? `${slo.baseName} [${slo.segment.value}]` : slo.baseName;
  const summary = [
    `objective ${formatObjective(slo.objective)}, SLI ${sliCell(result)}, budget left ${budgetCell(result)}`,
    ...result.tiers.map(
      (tier) => `${tier.name} burn: ${tierColumn(result, tier.name, evaluation.fixedWindowMs)}`,
    ),
    ...(result.period.businessOutcomes
      ? [`business outcomes (not errors): ${businessOutcomesCell(result)}`]
      : []),
    `segment ${segmentLabel(result)}, spec ${slo.source.file}, source ${evaluation.origin}`,
  ].join('\n');
  const failures = result.reasons.filter((r) => r.action === 'fail');
  const warnings = result.reasons.filter((r) => r.action === 'warn');
  const out = [
    `    <testcase classname="${attr(`${slo.service}.${slo.baseName}`)}" name="${attr(name)}" time="0">`,
  ];
  if (failures.length > 0) {
    const message = failures.map((r) => `${r.step}: ${r.message}`).join('; ');
    const type = result.verdict === 'no-data' ? 'SloNoData' : 'SloBudgetPolicy';
    out.push(
      `      <failure type="${type}" message="${attr(message)}">${xml(`${message}\n\n${summary}`)}</failure>`,
    );
  } else if (result.verdict === 'no-data') {
    const message = warnings.map((r) => `${r.step}: ${r.message}`).join('; ');
    out.push(`      <skipped message="${attr(message)}"/>`);
  }
  const systemOut =
    warnings.length > 0
      ? `${warnings.map((r) => `warning ${r.step}: ${r.message}`).join('\n')}\n\n${summary}`
      : summary;
  out.push(`      <system-out>${xml(systemOut)}</system-out>`, '    </testcase>');
  return out;
}
