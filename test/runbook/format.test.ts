import { describe, expect, it } from 'vitest';
import { formatFinding } from '../../src/core/errors.js';
import { parseRunbook } from '../../src/runbook/parse-runbook.js';
import {
  fillPlaceholders,
  missingPlaceholders,
  placeholderUses,
  placeholderValues,
} from '../../src/runbook/placeholders.js';
import { parseStepAttributes } from '../../src/runbook/step-attributes.js';
import { runbookText } from './builders.js';

const parse = (text: string) => parseRunbook('runbooks/checkout.md', 'checkout', text);
const messages = (text: string) => parse(text).findings.map(formatFinding);

describe('reading a runbook', () => {
  it('reads front matter, sections in order and steps with their attributes and locations', () => {
    const { runbook, findings } = parse(
      runbookText({
        steps: [
          {
            attributes: '{name=readiness readonly timeout=10s match=\'"ready":true\'}',
            command: 'echo ready',
          },
          {
            attributes: '{name=revert mutating exit=3}',
            command: 'shopsre chaos revert --all',
            section: 'Mitigation',
          },
        ],
      }),
    );
    expect(findings).toEqual([]);
    expect(runbook?.title).toBe('Checkout is failing');
    expect(runbook?.summary).toBe('What this runbook is for, for $SEGMENT shoppers.');
    expect(runbook?.alerts).toEqual(['CheckoutAvailabilityBudgetBurn']);
    expect(runbook?.faults).toEqual(['vendor-outage']);
    expect(runbook?.sections.map((s) => s.name)).toEqual([
      'Meaning',
      'Impact',
      'Diagnosis',
      'Mitigation',
      'Escalation',
    ]);
    expect(runbook?.steps).toEqual([
      expect.objectContaining({
        name: 'readiness',
        effect: 'readonly',
        timeoutMs: 10_000,
        check: { exitCode: 0, match: '"ready":true' },
        command: 'echo ready',
        section: 'Diagnosis',
        location: { file: 'runbooks/checkout.md', line: 25, col: 1 },
      }),
      expect.objectContaining({
        name: 'revert',
        effect: 'mutating',
        timeoutMs: 30_000,
        check: { exitCode: 3 },
        section: 'Mitigation',
      }),
    ]);
  });

  it('reports a misspelt front matter key with a did-you-mean at its line and column in the file', () => {
    const text = runbookText({
      frontMatter: [
        'apiVersion: shopsre/v1',
        'kind: Runbook',
        'alerts: [CheckoutAvailabilityBudgetBurn]',
        'owner: checkout team',
        'escalaton: payments on-call',
        'lastVerified: 2026-12-01',
      ].join('\n'),
    });
    expect(messages(text)).toEqual([
      'runbooks/checkout.md:2:1: missing required key "escalation"',
      'runbooks/checkout.md:6:1: unknown key "escalaton" (did you mean "escalation"?)',
    ]);
  });

  it('reports a fault missing from the chaos catalogue and a malformed date at their values', () => {
    const text = runbookText({
      frontMatter: [
        'apiVersion: shopsre/v1',
        'kind: Runbook',
        'faults: [vendor-outgae]',
        'owner: x',
        'escalation: y',
        'lastVerified: last week',
      ].join('\n'),
    });
    const found = messages(text);
    expect(found).toHaveLength(2);
    expect(found[0]).toMatch(/^runbooks\/checkout\.md:4:10: .*vendor-outage/);
    expect(found[1]).toMatch(/^runbooks\/checkout\.md:7:15: expected a date as YYYY-MM-DD/);
  });

  it('reports a missing front matter, a missing section and a misspelt one', () => {
    const text = '# Title\n\n## Meanig\n\ntext\n\n## Impact\n\n## Diagnosis\n\n## Mitigation\n';
    expect(messages(text)).toEqual([
      'runbooks/checkout.md:1:1: a runbook starts with YAML front matter between "---" lines (apiVersion, kind, alerts, faults, owner, escalation, lastVerified)',
      'runbooks/checkout.md:1:1: missing sections "## Meaning", "## Escalation"',
      'runbooks/checkout.md:3:1: unknown section "Meanig" (did you mean "Meaning"?); sections: Meaning, Impact, Diagnosis, Mitigation, Escalation',
    ]);
  });

  it('reports step attribute problems at their column in the info string', () => {
    const text = runbookText({
      steps: [
        { attributes: '{name=probe readonly timout=5s}', command: 'echo hi' },
        { attributes: '{name=Bad_Name}', command: 'echo hi' },
        { attributes: '{name=ok readonly}', command: 'echo once' },
        { attributes: '{name=ok readonly}', command: 'echo again' },
      ],
    });
    expect(messages(text)).toEqual([
      'runbooks/checkout.md:25:28: unknown step attribute "timout" (did you mean "timeout"?); known: name, readonly, mutating, timeout, exit, match',
      'runbooks/checkout.md:29:7: say whether the step is readonly or mutating',
      'runbooks/checkout.md:29:8: step name "Bad_Name": expected lowercase letters, digits and "-"',
      'runbooks/checkout.md:37:1: step name "ok" is used twice',
    ]);
  });

  it('a fenced block without attributes is prose, not a step', () => {
    const text = runbookText().replace(
      'Shoppers cannot pay.',
      'Shoppers cannot pay.\n\n```sh\necho example\n```',
    );
    const { runbook } = parse(text);
    expect(runbook?.steps).toEqual([]);
    expect(runbook?.sections[1]?.blocks).toContainEqual({ kind: 'code', text: 'echo example' });
  });
});

describe('step attributes', () => {
  it('takes quoted values as written, single or double quotes', () => {
    const parsed = parseStepAttributes(`{name=a readonly match='x "y" z' timeout=2m exit=1}`);
    expect(parsed).toEqual({
      ok: true,
      attributes: {
        name: 'a',
        effect: 'readonly',
        timeoutMs: 120_000,
        check: { exitCode: 1, match: 'x "y" z' },
      },
    });
  });

  it('refuses both readonly and mutating, a timeout past 10m and a bad pattern', () => {
    const parsed = parseStepAttributes('{name=a readonly mutating timeout=1h match=(}');
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.problems.map((p) => p.message)).toEqual([
      'a step is either readonly or mutating, not both',
      'timeout "1h": expected a duration up to 10m, such as 20s',
      expect.stringMatching(/^match: Invalid regular expression/),
    ]);
  });
});

describe('placeholders', () => {
  it('fills $NAME and ${NAME} from the alert labels, a flag winning over a label', () => {
    const values = placeholderValues(
      {
        alertname: 'X',
        segment: 'vip',
        sloth_slo: 'checkout-availability',
        sloth_service: 'store',
        store_url: 'http://a',
      },
      { STORE_URL: 'http://127.0.0.1:8080' },
    );
    expect(values).toEqual({
      SEGMENT: 'vip',
      SLO: 'checkout-availability',
      SERVICE: 'store',
      STORE_URL: 'http://127.0.0.1:8080',
    });
    expect(
      fillPlaceholders('shopsre x --segment "$SEGMENT" --url ${STORE_URL}/metrics $PROMETHEUS_URL', values),
    ).toBe('shopsre x --segment "vip" --url http://127.0.0.1:8080/metrics $PROMETHEUS_URL');
    expect(missingPlaceholders('echo $PROMETHEUS_URL $SEGMENT', values)).toEqual(['PROMETHEUS_URL']);
  });

  it('leaves single-quoted text, escaped dollars and lower-case shell variables alone', () => {
    const uses = placeholderUses(`echo '$NOT_ME' \\$NOR_ME "$SEGMENT" $i \${STORE_URL}`);
    expect(uses.map((u) => u.name)).toEqual(['SEGMENT', 'STORE_URL']);
  });
});
