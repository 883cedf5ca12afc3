import * as z from 'zod';
import { parseDuration } from '../core/duration.js';
import { InputError } from '../core/errors.js';
import { parseYamlFile, zodIssuesToFindings } from '../core/yaml-source.js';
import type { BurnWindow, TierName } from './model.js';
import { schemaVocabulary } from './schema-vocabulary.js';
import type { TierWindows } from './windows.js';

/**
 * Sloth's `AlertWindows` catalog (apiVersion sloth.slok.dev/v1): burn-rate windows for one SLO
 * period, e.g. its 7d catalog for weekly SLOs. Loaded into the same data as our default windows.
 */
interface AlertWindowsCatalog {
  readonly periodMs: number;
  readonly windows: Readonly<Record<TierName, TierWindows>>;
}

const duration = z.string().transform((text, ctx) => {
  const ms = parseDuration(text);
  if (ms === undefined)
    ctx.addIssue({ code: 'custom', message: `"${text}" is not a Prometheus duration such as 5m or 1h` });
  return ms ?? 0;
});

const windowSchema = z.strictObject({
  errorBudgetPercent: z.number().gt(0).lte(100),
  shortWindow: duration,
  longWindow: duration,
});
const tierSchema = z.strictObject({ quick: windowSchema, slow: windowSchema });
const catalogSchema = z.strictObject({
  apiVersion: z.literal('sloth.slok.dev/v1'),
  kind: z.literal('AlertWindows'),
  spec: z.strictObject({ sloPeriod: duration, page: tierSchema, ticket: tierSchema }),
});

/** Parses one catalog file; throws InputError with every finding located in the file. */
export function loadAlertWindowsCatalog(file: string, text: string): AlertWindowsCatalog {
  const [doc] = parseYamlFile(file, text);
  if (!doc)
    throw new InputError([
      { location: { file, line: 1, col: 1 }, message: 'expected an AlertWindows document' },
    ]);
  const parsed = catalogSchema.safeParse(doc.value);
  if (!parsed.success)
    throw new InputError(zodIssuesToFindings(doc, parsed.error.issues, schemaVocabulary(catalogSchema)));
  const { spec } = parsed.data;
  const toWindow = (w: z.infer<typeof windowSchema>): BurnWindow => ({
    budgetPercent: w.errorBudgetPercent,
    shortWindowMs: w.shortWindow,
    longWindowMs: w.longWindow,
  });
  const toTier = (tier: z.infer<typeof tierSchema>): TierWindows => ({
    quick: toWindow(tier.quick),
    slow: toWindow(tier.slow),
  });
  return { periodMs: spec.sloPeriod, windows: { page: toTier(spec.page), ticket: toTier(spec.ticket) } };
}
