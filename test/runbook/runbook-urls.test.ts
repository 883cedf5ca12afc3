import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { runSloGenerate } from '../../src/commands/slo-generate.js';
import { ExitCode } from '../../src/core/errors.js';
import { commandContext, repoRoot } from './helpers.js';

interface RuleFile {
  groups: { rules: { alert?: string; annotations?: Record<string, string> }[] }[];
}

async function generate(paths: string[], runbookBase?: string) {
  const { ctx, stdout, stderr } = commandContext(repoRoot);
  const code = await runSloGenerate(
    { paths, format: 'prometheus', defaultSloPeriod: '30d', ...(runbookBase ? { runbookBase } : {}) },
    ctx,
  );
  const alerts = (parse(stdout.text()) as RuleFile).groups
    .flatMap((group) => group.rules)
    .filter((rule) => rule.alert !== undefined);
  return { code, alerts, stderr: stderr.text() };
}

describe('slo generate --runbook-base', () => {
  it("points every alert's runbook_url at the runbook that serves it", async () => {
    const { code, alerts } = await generate(
      [join(repoRoot, 'reference-store/slos.yaml')],
      'https://github.com/acme/shop/blob/main',
    );
    expect(code).toBe(ExitCode.ok);
    const urls = new Map(alerts.map((rule) => [rule.alert, rule.annotations?.runbook_url]));
    expect(Object.fromEntries(urls)).toEqual({
      CheckoutAvailabilityBudgetBurn:
        'https://github.com/acme/shop/blob/main/runbooks/checkout-availability.md',
      CheckoutLatencyBudgetBurn: 'https://github.com/acme/shop/blob/main/runbooks/checkout-latency.md',
      PaymentSuccessBudgetBurn: 'https://github.com/acme/shop/blob/main/runbooks/payment-success.md',
      CatalogAvailabilityBudgetBurn:
        'https://github.com/acme/shop/blob/main/runbooks/catalog-availability.md',
      CatalogLatencyBudgetBurn: 'https://github.com/acme/shop/blob/main/runbooks/catalog-latency.md',
    });
  });

  it("leaves the spec's own runbook in place, and writes none without the flag", async () => {
    const own = await generate(
      [join(repoRoot, 'examples/checkout.slo.yaml')],
      'https://github.com/acme/shop/blob/main/',
    );
    const checkout = own.alerts.find((rule) => rule.alert === 'CheckoutAvailabilityBudgetBurn');
    expect(checkout?.annotations?.runbook_url).toBe('https://runbooks.example.com/checkout-availability');
    const plain = await generate([join(repoRoot, 'reference-store/slos.yaml')]);
    expect(plain.alerts.every((rule) => rule.annotations?.runbook_url === undefined)).toBe(true);
  });
});
