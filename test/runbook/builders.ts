/** Small runbooks in memory for the tests: front matter and sections filled in, steps as given. */
export interface StepText {
  readonly attributes: string;
  readonly command: string;
  readonly section?: 'Diagnosis' | 'Mitigation';
}

export function runbookText(
  options: { frontMatter?: string; steps?: readonly StepText[]; title?: string } = {},
): string {
  const frontMatter =
    options.frontMatter ??
    [
      'apiVersion: shopsre/v1',
      'kind: Runbook',
      'alerts: [CheckoutAvailabilityBudgetBurn]',
      'faults: [vendor-outage]',
      'owner: checkout team',
      'escalation: payments on-call',
      'lastVerified: 2026-12-01',
    ].join('\n');
  const steps = options.steps ?? [];
  const block = (step: StepText): string => `\`\`\`sh ${step.attributes}\n${step.command}\n\`\`\`\n`;
  const under = (section: 'Diagnosis' | 'Mitigation'): string =>
    steps
      .filter((s) => (s.section ?? 'Diagnosis') === section)
      .map(block)
      .join('\n');
  return [
    '---',
    frontMatter,
    '---',
    '',
    `# ${options.title ?? 'Checkout is failing'}`,
    '',
    'What this runbook is for, for $SEGMENT shoppers.',
    '',
    '## Meaning',
    '',
    'The checkout SLO burns.',
    '',
    '## Impact',
    '',
    'Shoppers cannot pay.',
    '',
    '## Diagnosis',
    '',
    under('Diagnosis'),
    '## Mitigation',
    '',
    under('Mitigation'),
    '## Escalation',
    '',
    'Call payments.',
    '',
  ].join('\n');
}

/** A read-only step that prints the labels it was filled from: what a test of an alert's labels reads. */
export const labelsStep: StepText = {
  attributes: '{name=labels readonly}',
  command: 'echo "segment=$SEGMENT slo=$SLO service=$SERVICE"',
};
