import { describe, expect, it } from 'vitest';
import { InputError } from '../../../src/core/errors.js';
import { loadAlertWindowsCatalog } from '../../../src/slo/windows-catalog.js';
import { readFixture } from '../../helpers/fixture-files.js';

const hour = 3_600_000;

describe("Sloth's AlertWindows catalogs load into burn windows", () => {
  it('the 7d catalog gives its period and budgets, 24h/72h as plain milliseconds', () => {
    const catalog = loadAlertWindowsCatalog(
      '7d.yaml',
      readFixture('reference/sloth/test/integration/prometheus/windows/7d.yaml'),
    );
    expect(catalog.periodMs).toBe(7 * 24 * hour);
    expect(catalog.windows.page.slow).toEqual({
      budgetPercent: 12.5,
      shortWindowMs: 0.5 * hour,
      longWindowMs: 6 * hour,
    });
    expect(catalog.windows.ticket.slow).toEqual({
      budgetPercent: 42,
      shortWindowMs: 6 * hour,
      longWindowMs: 72 * hour,
    });
  });

  it('a misspelled key and a bad duration are both reported with their location', () => {
    const text = readFixture('reference/sloth/test/integration/prometheus/windows/7d.yaml')
      .replace('errorBudgetPercent: 8', 'errorBudgetPercnt: 8')
      .replace('longWindow: 6h', 'longWindow: 6 hours');
    const error = (() => {
      try {
        loadAlertWindowsCatalog('7d.yaml', text);
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).lines()).toEqual([
      '7d.yaml:7:7: missing required key "errorBudgetPercent" (at spec.page.quick)',
      '7d.yaml:7:7: unknown key "errorBudgetPercnt" (did you mean "errorBudgetPercent"?) (at spec.page.quick)',
      '7d.yaml:13:19: "6 hours" is not a Prometheus duration such as 5m or 1h (at spec.page.slow.longWindow)',
    ]);
  });
});
