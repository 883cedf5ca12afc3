import type { Journal } from '../journal.js';
import { attr, xml } from '../../core/xml-escape.js';

/**
 * junit.xml for CI test reporters: one testsuite each for the expectations, the steady-state checks
 * and the invariants; one testcase per item, with a `<failure>` carrying the journal's detail when it
 * did not hold. Invariants that were not checked are one `<skipped>` case, so a reporter still shows
 * that they exist.
 */

interface Case {
  readonly name: string;
  readonly passed: boolean;
  readonly message: string;
  readonly skipped?: boolean;
}

interface Suite {
  readonly name: string;
  readonly cases: readonly Case[];
}

export function renderJunit(journal: Journal): string {
  const scenario = journal.scenario.name;
  const suites: Suite[] = [
    {
      name: 'expectations',
      cases: journal.expectations.map((e) => ({ name: e.description, passed: e.met, message: e.detail })),
    },
    {
      name: 'steady-state',
      cases: [...journal.steadyState]
        .sort((a, b) => a.atMs - b.atMs)
        .flatMap((state) =>
          state.checks.map((c) => ({
            name: `${state.at}: ${c.name}${c.segment === undefined ? '' : ` [${c.segment}]`}`,
            passed: c.passed,
            message: c.detail,
          })),
        ),
    },
    {
      name: 'invariants',
      cases: journal.invariants.checked
        ? journal.invariants.items.map((i) => ({ name: i.name, passed: i.passed, message: i.detail }))
        : [
            {
              name: 'invariants',
              passed: true,
              skipped: true,
              message: journal.invariants.note ?? 'not checked',
            },
          ],
    },
  ];
  const all = suites.flatMap((s) => s.cases);
  const failures = (cases: readonly Case[]): number => cases.filter((c) => !c.passed && !c.skipped).length;
  const skipped = (cases: readonly Case[]): number => cases.filter((c) => c.skipped).length;
  // JUnit's schema wants a timestamp without a zone; ours is UTC.
  const timestamp = new Date(journal.startedAtMs).toISOString().slice(0, 19);
  const seconds = ((journal.endedAtMs - journal.startedAtMs) / 1000).toFixed(3);
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="${attr(`shopsre gameday ${scenario} (run ${journal.runId})`)}" tests="${all.length}" failures="${failures(all)}" errors="0" skipped="${skipped(all)}" time="${seconds}">`,
  ];
  for (const suite of suites) {
    lines.push(
      `  <testsuite name="${attr(`${scenario}.${suite.name}`)}" tests="${suite.cases.length}" failures="${failures(suite.cases)}" errors="0" skipped="${skipped(suite.cases)}" timestamp="${timestamp}" time="0">`,
    );
    for (const c of suite.cases) {
      const open = `    <testcase classname="${attr(`gameday.${scenario}.${suite.name}`)}" name="${attr(c.name)}" time="0"`;
      if (c.skipped)
        lines.push(`${open}>`, `      <skipped message="${attr(c.message)}"/>`, '    </testcase>');
      else if (!c.passed)
        lines.push(
          `${open}>`,
          `      <failure type="${suite.name}" message="${attr(c.message)}">${xml(c.message)}</failure>`,
          '    </testcase>',
        );
      else lines.push(`${open}>`, `      <system-out>${xml(c.message)}</system-out>`, '    </testcase>');
    }
    lines.push('  </testsuite>');
  }
  lines.push('</testsuites>');
  return `${lines.join('\n')}\n`;
}
