import type { ExecutorConfig } from '../plan.js';

export type VuConfig = Extract<ExecutorConfig, { kind: 'constant-vus' | 'ramping-vus' }>;

interface VuStep {
  /** Milliseconds since the run started. */
  readonly atMs: number;
  readonly vus: number;
}

export function vuDurationMs(config: VuConfig): number {
  return config.kind === 'constant-vus'
    ? config.durationMs
    : config.stages.reduce((sum, stage) => sum + stage.durationMs, 0);
}

/**
 * When the number of VUs changes. As in k6's ramping-vus, a stage moves linearly to its target and
 * the count changes when the line reaches the next whole number: ramping 0 → 10 over 10 s adds a
 * VU each second from 1 s on, ramping 10 → 0 removes one each second. Targets are whole VUs.
 */
export function vuSteps(config: VuConfig): VuStep[] {
  if (config.kind === 'constant-vus') return [{ atMs: 0, vus: config.vus }];
  let vus = Math.round(config.startVus);
  const steps: VuStep[] = [{ atMs: 0, vus }];
  let startMs = 0;
  for (const stage of config.stages) {
    const target = Math.round(stage.target);
    const span = Math.abs(target - vus);
    const direction = Math.sign(target - vus);
    for (let k = 1; k <= span; k++) {
      steps.push({ atMs: startMs + (stage.durationMs * k) / span, vus: vus + direction * k });
    }
    vus = target;
    startMs += stage.durationMs;
  }
  return steps;
}
