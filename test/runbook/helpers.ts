import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { stringify } from 'yaml';
import { systemClock } from '../../src/core/clock.js';
import { bufferWriter, type Io } from '../../src/core/io.js';
import { createLogger } from '../../src/core/logger.js';
import type { CommandContext } from '../../src/commands/context.js';
import type { ShopsreInvocation } from '../../src/runbook/shopsre-shim.js';

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

/** `shopsre` in a step, from this checkout's sources (tsx by path: steps run in other folders). */
export const checkoutShopsre: ShopsreInvocation = {
  command: process.execPath,
  args: [
    '--import',
    pathToFileURL(`${repoRoot}node_modules/tsx/dist/loader.mjs`).href,
    `${repoRoot}src/bin.ts`,
  ],
};

export function commandContext(cwd: string, env: Record<string, string | undefined> = {}) {
  const stdout = bufferWriter();
  const stderr = bufferWriter();
  const io: Io = { stdout, stderr, env: { PATH: process.env.PATH, ...env }, cwd, isTTY: false };
  const ctx: CommandContext = {
    io,
    clock: systemClock,
    logger: createLogger({ sink: stderr, clock: systemClock, level: 'info' }),
  };
  return { ctx, stdout, stderr };
}

/** A signal source that never fires: the test stops nothing by signal. */
export const noSignals = { on: () => undefined, off: () => undefined };

/** One line of a `--record` file, as the tests read it. */
export interface RecordedStep {
  readonly step: string;
  readonly outcome: string;
  readonly command: string;
  readonly output: string;
}

/** The steps a `--record FILE` holds, in order. */
export function readRecord(file: string): RecordedStep[] {
  return readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as RecordedStep);
}

/** An alert as the generated rules label it, for a rule file whose alerts fire at once. */
export interface FiringRule {
  readonly alert: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
}

/** The checkout page for VIPs, with the labels `slo generate` gives it. */
export const vipCheckoutPage: FiringRule = {
  alert: 'CheckoutAvailabilityBudgetBurn',
  labels: { segment: 'vip', sloth_slo: 'checkout-availability', sloth_service: 'store', severity: 'page' },
  annotations: { summary: 'checkout burns' },
};

/** Writes a Prometheus rule file whose alerts fire at the first evaluation (`vector(1)`). */
export function writeFiringRules(file: string, rules: readonly FiringRule[]): string {
  const group = { name: 'runbook-test', rules: rules.map((rule) => ({ ...rule, expr: 'vector(1)' })) };
  writeFileSync(file, stringify({ groups: [group] }));
  return file;
}
