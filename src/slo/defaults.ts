import type { AlertTier, TierName } from './model.js';
import { defaultWindows } from './windows.js';

/** A tier as every input format starts it: the workbook windows, severity named after the tier. */
export function defaultTier(name: TierName, overrides: Partial<AlertTier> = {}): AlertTier {
  return {
    name,
    enabled: true,
    ...defaultWindows[name],
    severity: name,
    labels: {},
    annotations: {},
    ...overrides,
  };
}

/** `checkout-availability` → `CheckoutAvailabilityBudgetBurn`, for specs that name no alert. */
export function defaultAlertName(sloName: string): string {
  const words = sloName.split('-').map((part) => part.charAt(0).toUpperCase() + part.slice(1));
  return `${words.join('')}BudgetBurn`;
}
