import * as z from 'zod';
import { InputError, type Finding } from '../../core/errors.js';
import { parseSingleYamlDocument, zodIssuesToFindings, type YamlDocument } from '../../core/yaml-source.js';
import { errorBudgetRatio, type Slo } from '../model.js';
import type { ConditionResult, TierResult } from './measurement.js';
import { formatBudget, formatBurn, formatObjective, formatSli, windowName } from './number-format.js';

/**
 * Error-budget policy: what a CI gate does about an SLO's state, in the manner of slo-generator's
 * error-budget policies. Each step is checked on its own; every step that matches is reported, and
 * one `fail` fails the gate.
 *
 * ```yaml
 * apiVersion: shopsre/v1
 * kind: BudgetPolicy
 * noData: warn        # or fail: an SLO without enough events fails the gate (as --require-data)
 * steps:
 *   - name: budget-exhausted
 *     when: { budgetRemainingBelow: 0 }
 *     action: fail
 *     message: Error budget spent; only reliability fixes ship.
 *   - name: vip-budget-low
 *     when: { budgetRemainingBelow: 25 }
 *     segments: [vip]
 *     action: warn
 * ```
 */

const conditionsSchema = z
  .strictObject({
    /** Remaining error budget below this percentage of the period's budget (0 = spent; may be negative). */
    budgetRemainingBelow: z.number().optional(),
    /**
     * A firing burn-rate tier with this severity. Severities default to the tier's name (`page`,
     * `ticket`), but a spec may route its page tier as `ticket` for one segment: the severity is what
     * the alert would do, so that is what is matched.
     */
    burnTierFiring: z.string().min(1).optional(),
    /** true: the period's SLI is below the objective; false: it meets the objective. */
    sliBelowObjective: z.boolean().optional(),
  })
  .refine((when) => Object.values(when).some((value) => value !== undefined), {
    message: 'give at least one condition: budgetRemainingBelow, burnTierFiring or sliBelowObjective',
  });

const stepSchema = z.strictObject({
  name: z.string().min(1),
  /** Every condition given must hold. */
  when: conditionsSchema,
  /** Only SLOs of these segments; absent means every SLO. */
  segments: z.array(z.string().min(1)).min(1).optional(),
  action: z.enum(['fail', 'warn']),
  /** Shown before the facts that matched, e.g. what the team agreed to do. */
  message: z.string().min(1).optional(),
});

export const budgetPolicySchema = z.strictObject({
  apiVersion: z.literal('shopsre/v1'),
  kind: z.literal('BudgetPolicy'),
  /**
   * What an SLO without enough events to judge (none, or fewer than its minEvents) does to the gate:
   * `warn` (default) passes with a warning, `fail` fails it, as `--require-data` does.
   */
  noData: z.enum(['warn', 'fail']).default('warn'),
  steps: z.array(stepSchema).min(1),
});

export type PolicyStep = z.infer<typeof stepSchema>;
export interface BudgetPolicy {
  readonly noData: 'warn' | 'fail';
  readonly steps: readonly PolicyStep[];
}

/** Without a policy file the gate fails on a spent budget or on a burn that would page. */
export const defaultPolicy: BudgetPolicy = {
  noData: 'warn',
  steps: [
    { name: 'budget-exhausted', when: { budgetRemainingBelow: 0 }, action: 'fail' },
    { name: 'page-burn', when: { burnTierFiring: 'page' }, action: 'fail' },
  ],
};

/** `--require-data`: the policy, with no data failing the gate. */
export function requiringData(policy: BudgetPolicy): BudgetPolicy {
  return { ...policy, noData: 'fail' };
}

const vocabulary = [
  'apiVersion',
  'kind',
  'noData',
  'steps',
  'name',
  'when',
  'segments',
  'action',
  'message',
  'budgetRemainingBelow',
  'burnTierFiring',
  'sliBelowObjective',
];

/** Parses a policy file; every finding carries file:line:col. */
export function parsePolicy(file: string, text: string): BudgetPolicy {
  const doc = parseSingleYamlDocument(file, text, 'BudgetPolicy');
  const parsed = budgetPolicySchema.safeParse(doc.value);
  if (!parsed.success) throw new InputError(zodIssuesToFindings(doc, parsed.error.issues, vocabulary));
  const findings = duplicateStepNames(doc, parsed.data.steps);
  if (findings.length > 0) throw new InputError(findings);
  return { noData: parsed.data.noData, steps: parsed.data.steps };
}

function duplicateStepNames(doc: YamlDocument, steps: readonly PolicyStep[]): Finding[] {
  const seen = new Map<string, number>();
  const findings: Finding[] = [];
  steps.forEach((step, index) => {
    const first = seen.get(step.name);
    if (first === undefined) seen.set(step.name, index);
    else {
      findings.push({
        location: doc.locate(['steps', index, 'name']),
        message: `step name "${step.name}" is already used by steps[${first}]; reports name steps, so make it unique`,
      });
    }
  });
  return findings;
}

/**
 * Steps whose `burnTierFiring` names a severity that no tier of these SLOs has: such a step can never
 * match, which is worth a warning (a spec with `critical`/`warning` severities under the default policy).
 */
export function unmatchableSteps(policy: BudgetPolicy, slos: readonly Slo[]): PolicyStep[] {
  const severities = new Set(slos.flatMap((slo) => slo.alerting.tiers.map((tier) => tier.severity)));
  return policy.steps.filter(
    (step) => step.when.burnTierFiring !== undefined && !severities.has(step.when.burnTierFiring),
  );
}

/** The facts about one SLO that policy conditions read. */
export interface PolicyFacts {
  readonly slo: Slo;
  /** Error ratio over the period. */
  readonly errorRatio: number;
  readonly budgetRemaining: number;
  readonly tiers: readonly TierResult[];
  readonly fixedWindowMs: number | undefined;
}

export interface PolicyMatch {
  readonly step: string;
  readonly action: PolicyStep['action'];
  /** The step's message, then the facts that made it match. */
  readonly message: string;
}

export function applyPolicy(policy: BudgetPolicy, facts: PolicyFacts): PolicyMatch[] {
  const matches: PolicyMatch[] = [];
  for (const step of policy.steps) {
    if (step.segments && !step.segments.includes(facts.slo.segment?.value ?? '')) continue;
    const held = conditionsHeld(step.when, facts);
    if (!held) continue;
    const detail = held.join('; ');
    // One line whatever the YAML scalar style, since every report prints a reason per line.
    const message = step.message?.replace(/\s+/g, ' ').trim();
    matches.push({
      step: step.name,
      action: step.action,
      message: message ? `${message} (${detail})` : detail,
    });
  }
  return matches;
}

/** Describes each condition of `when` that holds, or returns undefined when one does not. */
function conditionsHeld(when: PolicyStep['when'], facts: PolicyFacts): string[] | undefined {
  const held: string[] = [];
  if (when.budgetRemainingBelow !== undefined) {
    if (!(facts.budgetRemaining * 100 < when.budgetRemainingBelow)) return undefined;
    held.push(
      `error budget remaining ${formatBudget(facts.budgetRemaining)} is below ${when.budgetRemainingBelow}%`,
    );
  }
  if (when.burnTierFiring !== undefined) {
    const wanted = when.burnTierFiring;
    const tier = facts.tiers.find((t) => t.firing && t.severity === wanted);
    if (!tier) return undefined;
    held.push(describeFiring(tier, facts.fixedWindowMs));
  }
  if (when.sliBelowObjective !== undefined) {
    // Compared on the error ratio, not on 1 - ratio, so an SLI exactly at the objective is not below it by a rounding error.
    const below = facts.errorRatio > errorBudgetRatio(facts.slo.objective);
    if (below !== when.sliBelowObjective) return undefined;
    const sli = formatSli(1 - facts.errorRatio, facts.slo.objective);
    held.push(
      `SLI ${sli} ${below ? 'is below' : 'meets'} the objective ${formatObjective(facts.slo.objective)}`,
    );
  }
  return held;
}

function describeFiring(tier: TierResult, fixedWindowMs: number | undefined): string {
  const condition: ConditionResult = tier.quick.firing ? tier.quick : tier.slow;
  const over = (windowMs: number): string => windowName(windowMs, fixedWindowMs);
  return (
    `${tier.name} tier (severity ${tier.severity}) is firing: burn rate ${formatBurn(condition.short.burnRate)} ` +
    `over ${over(condition.short.windowMs)} and ${formatBurn(condition.long.burnRate)} over ${over(condition.long.windowMs)}, ` +
    `above ${formatBurn(condition.threshold)}`
  );
}
