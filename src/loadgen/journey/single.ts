import type { IterationRunner, JourneyConfig } from '../plan.js';
import { anyBody } from './checks.js';
import type { IterationPlanner } from './iteration-plan.js';
import { stepSender, type SenderDeps } from './step-sender.js';

/** The step name of `--journey single` samples. */
export const singleStep = 'single';

/**
 * One GET of the target URL per iteration, checked on status only and its body discarded: the
 * journey that benchmarks and tests aim at any server. It still carries a segment from the mix.
 */
export function singleJourney(
  config: JourneyConfig,
  path: string,
  planner: IterationPlanner,
  deps: SenderDeps,
): IterationRunner {
  // One headers object per segment, built once: this journey is the benchmarks' hot loop.
  const headers = new Map(Object.keys(config.segmentMix).map((s) => [s, { [config.segmentHeader]: s }]));
  // Not async: the runner returns the step's own promise, one promise and one await fewer per request.
  return (ctx) => {
    const segment = planner.segment(ctx.iteration);
    const send = stepSender(ctx, segment, deps);
    return send({
      step: singleStep,
      method: 'GET',
      path,
      headers: headers.get(segment) ?? {},
      readJson: false,
      check: anyBody,
    });
  };
}
