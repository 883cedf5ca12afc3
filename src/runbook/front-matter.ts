import * as z from 'zod';
import { faultNames } from '../chaos/catalogue.js';

/**
 * The front matter of a runbook (`apiVersion: shopsre/v1`, `kind: Runbook`): the wire format. Which
 * alerts and faults the runbook serves, who owns it, where to escalate and when it was last walked.
 */
export const runbookFrontMatterSchema = z.strictObject({
  apiVersion: z.literal('shopsre/v1'),
  kind: z.literal('Runbook'),
  alerts: z
    .array(z.string().regex(/^[A-Za-z_:][A-Za-z0-9_:]*$/, 'expected a Prometheus alert name'))
    .default([])
    .describe('the alert names (alertname) this runbook serves'),
  faults: z.array(z.enum(faultNames)).default([]).describe('the chaos catalogue faults it serves'),
  owner: z.string().min(1).describe('the team that keeps this runbook true'),
  escalation: z.string().min(1).describe('who to call when the steps do not help'),
  lastVerified: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date as YYYY-MM-DD')
    .describe('the day someone last followed it end to end'),
});

export type RunbookFrontMatter = z.output<typeof runbookFrontMatterSchema>;
