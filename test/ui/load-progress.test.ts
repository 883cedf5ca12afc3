import { render } from 'ink-testing-library';
import { createElement } from 'react';
import { describe, expect, it } from 'vitest';
import { bufferWriter } from '../../src/core/io.js';
import type { ProgressSnapshot } from '../../src/loadgen/progress.js';
import { plainProgress } from '../../src/ui/load-progress-lines.js';
import { LoadProgress, type LoadProgressProps } from '../../src/ui/load-progress.js';

// vitest's include covers *.test.ts only, so the elements are built without JSX.
const view = (props: LoadProgressProps) => createElement(LoadProgress, props);

const snapshot = (fields: Partial<ProgressSnapshot> = {}): ProgressSnapshot => ({
  elapsedMs: 12_000,
  durationMs: 30_000,
  rps: 48,
  requests: 560,
  errors: 7,
  dropped: 0,
  segments: [
    { segment: 'guest', requests: 340, errors: 2, p95Ms: 41.2 },
    { segment: 'member', requests: 200, errors: 5, p95Ms: 8.25 },
    { segment: 'vip', requests: 20, errors: 0, p95Ms: undefined },
  ],
  ...fields,
});

describe('the live load view', () => {
  it('shows elapsed of total, the rate, errors, drops and p95 per segment', () => {
    const { lastFrame } = render(
      view({ snapshot: snapshot(), target: 'http://127.0.0.1:8080', executor: 'constant-arrival-rate' }),
    );
    const frame = lastFrame() ?? '';
    expect(frame).toContain('load http://127.0.0.1:8080 (constant-arrival-rate)');
    expect(frame).toContain('0:12/0:30');
    expect(frame).toContain('48 req/s');
    expect(frame).toContain('7 errors (1.3%)');
    expect(frame).toContain('0 dropped');
    expect(frame).toMatch(/guest\s+340\s+2\s+41ms/);
    expect(frame).toMatch(/member\s+200\s+5\s+8\.3ms/);
    expect(frame).toMatch(/vip\s+20\s+0\s+-/);
  });

  it('redraws with new figures', () => {
    const run = { target: 'http://127.0.0.1:1', executor: 'constant-vus' };
    const { lastFrame, rerender } = render(view({ snapshot: snapshot(), ...run }));
    rerender(view({ snapshot: snapshot({ elapsedMs: 30_000, rps: 0, dropped: 3 }), ...run }));
    expect(lastFrame()).toContain('0:30/0:30');
    expect(lastFrame()).toContain('3 dropped');
  });
});

describe('plain progress lines (not a TTY, or CI)', () => {
  it('prints one line every five seconds at most', () => {
    const sink = bufferWriter();
    const display = plainProgress(sink);
    for (const elapsedMs of [1000, 2000, 5000, 6000, 7000, 12_000]) display.update(snapshot({ elapsedMs }));
    expect(sink.text().split('\n').filter(Boolean)).toEqual([
      'load 0:01/0:30 | 48 req/s | 560 requests | 7 errors (1.3%) | 0 dropped | guest p95 41ms, member p95 8.3ms, vip p95 -',
      'load 0:06/0:30 | 48 req/s | 560 requests | 7 errors (1.3%) | 0 dropped | guest p95 41ms, member p95 8.3ms, vip p95 -',
      'load 0:12/0:30 | 48 req/s | 560 requests | 7 errors (1.3%) | 0 dropped | guest p95 41ms, member p95 8.3ms, vip p95 -',
    ]);
  });
});
