import { readFile, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { formatDuration } from '../core/duration.js';
import { ExitCode, InputError, ShopsreError, UsageError, type Finding } from '../core/errors.js';
import { journalSchema } from '../gameday/journal.js';
import { listShippedScenarios } from '../gameday/scenario/catalog.js';
import { parseScenario } from '../gameday/scenario/load.js';
import type { CommandContext } from './context.js';

/** `gameday list`: the ready scenarios, with their faults and how long each lasts at most. */
export async function runGameDayList(options: { json: boolean }, ctx: CommandContext): Promise<ExitCode> {
  const entries = await listShippedScenarios();
  if (options.json) {
    ctx.io.stdout.write(`${JSON.stringify({ scenarios: entries })}\n`);
    return ExitCode.ok;
  }
  const width = Math.max(...entries.map((e) => e.name.length));
  for (const entry of entries) {
    const faults = entry.faults.length > 0 ? entry.faults.join(', ') : 'load only';
    ctx.io.stdout.write(
      `${entry.name.padEnd(width)}  ${entry.title} (${faults}; at most ${formatDuration(entry.durationMs)})\n`,
    );
  }
  ctx.io.stdout.write('\nshopsre gameday run <name> runs one; gameday init <name> writes one to edit.\n');
  return ExitCode.ok;
}

/** `gameday validate`: every finding of every file, then exit 2 if there was one. */
export async function runGameDayValidate(files: readonly string[], ctx: CommandContext): Promise<ExitCode> {
  const findings: Finding[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = await readFile(resolve(ctx.io.cwd, file), 'utf8');
    } catch (error) {
      throw new UsageError(`cannot read ${file}: ${(error as Error).message}`);
    }
    try {
      parseScenario(file, text);
    } catch (error) {
      if (error instanceof InputError) findings.push(...error.findings);
      else throw error;
    }
  }
  if (findings.length > 0) throw new InputError(findings);
  ctx.io.stdout.write(`${files.length} scenario file(s) valid\n`);
  return ExitCode.ok;
}

/** `gameday init <name>`: a commented scenario to start from, valid as written. */
export async function runGameDayInit(
  name: string,
  options: { force: boolean },
  ctx: CommandContext,
): Promise<ExitCode> {
  if (!/^[a-z0-9][a-z0-9-]*$/.test(name)) {
    throw new UsageError(`scenario name "${name}": use lowercase letters, digits and "-"`);
  }
  const path = resolve(ctx.io.cwd, `${name}.yaml`);
  const text = scenarioTemplate(name);
  parseScenario(`${name}.yaml`, text);
  try {
    await writeFile(path, text, { flag: options.force ? 'w' : 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new UsageError(`${name}.yaml exists; --force overwrites it`);
    }
    throw new UsageError(`cannot write ${path}: ${(error as Error).message}`);
  }
  ctx.io.stdout.write(`wrote ${name}.yaml; edit it, then: shopsre gameday run ./${name}.yaml\n`);
  return ExitCode.ok;
}

/** `gameday report <journal>`: the files a game day wrote, rendered again from its journal. */
export async function runGameDayReport(
  journalPath: string,
  options: { out?: string },
  ctx: CommandContext,
): Promise<ExitCode> {
  const path = resolve(ctx.io.cwd, journalPath);
  let json: unknown;
  try {
    json = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new UsageError(`cannot read the journal ${journalPath}: ${(error as Error).message}`);
  }
  const parsed = journalSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UsageError(
      `${journalPath} is not a game day journal: ${issue?.message ?? 'unexpected shape'} (at ${issue?.path.join('.') ?? ''})`,
    );
  }
  const { writeGameDayReport } = await import('../gameday/report/index.js');
  const out = resolve(ctx.io.cwd, options.out ?? dirname(path));
  try {
    const files = await writeGameDayReport(parsed.data, out);
    ctx.io.stdout.write(`${files.map((f) => `wrote ${resolve(out, f)}`).join('\n')}\n`);
  } catch (error) {
    if (error instanceof ShopsreError) throw error;
    throw new UsageError(`cannot write the report to ${out}: ${(error as Error).message}`);
  }
  return ExitCode.ok;
}

function scenarioTemplate(name: string): string {
  return `# yaml-language-server: $schema=https://shopsre.dev/schemas/scenario.schema.json
# A game day scenario: run it with  shopsre gameday run ./${name}.yaml
apiVersion: shopsre/v1
kind: GameDay
title: ${name}
description: >-
  What happens, in a sentence or two: which dependency fails, how, for how long.
hypothesis: >-
  What should hold while it does: which segments keep checking out, which alerts fire (or stay
  silent), how fast the store recovers.
roles:
  incidentCommander: your name
  scribe: a colleague's name
  observers: []
seed: 1                  # same seed, same shoppers and the same random fault schedule
# target:                # default: the embedded store stack, started by the run; or your own:
#   storeUrl: http://127.0.0.1:8080
#   metricsUrl: http://127.0.0.1:8080/metrics
#   chaosUrl: http://127.0.0.1:8474      # fault proxies: store serve's, or shopsre chaos proxy
# timeScale: 60          # alert windows divided by this (default 60 embedded, 1 on your own stack)
load:
  preset: steady         # steady | flash-sale | spike
  rate: 20               # checkout journeys started per second
phases:
  baseline: 20s          # load only; the steady state must hold at its end
  inject:
    duration: 40s
    faults:              # from the chaos catalogue: shopsre chaos list
      - fault: vendor-outage
        at: 5s           # from the start of the inject phase
        for: 30s
        params: { vendor: primary, rate: 1 }
    # random:            # or a chaos monkey's schedule, drawn from the seed
    #   from: [{ fault: vendor-latency }, { fault: cdn-slowness }]
    #   count: 2
    #   minDuration: 5s
    #   maxDuration: 15s
  recover: { timeout: 60s, hold: 5s }   # until the steady state holds 5 s in a row
steadyState:
  - { kind: checkout-success, minPercent: 98, window: 10s }
  # - { kind: p95-latency, maxMs: 1000, window: 10s }
expectations:
  - { kind: alert-silent, alert: CheckoutAvailabilityBudgetBurn, severity: page }
  # - { kind: alert-fires, alert: CheckoutAvailabilityBudgetBurn, segment: member, within: 30s }
  - { kind: recovered, within: 30s }
  - { kind: invariants-hold }
stopConditions:
  - { kind: checkout-success-below, percent: 50, segment: vip, for: 10s }
`;
}
