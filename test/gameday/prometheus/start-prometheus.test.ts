import { mkdtemp, rm, writeFile, chmod } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EnvironmentError } from '../../../src/core/errors.js';
import { startPrometheus } from '../../../src/gameday/prometheus/start-prometheus.js';

/** Start-up failures, with stand-in binaries: no real Prometheus needed (test/real has that). */
describe('starting Prometheus for a game day: failures are environment errors', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'shopsre-start-prometheus-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  const options = () => ({
    dataDir: join(dir, 'run'),
    metricsUrl: 'http://127.0.0.1:9/metrics',
    ruleFiles: [],
  });

  it('names the package to install when the binary does not exist', async () => {
    const start = startPrometheus({ ...options(), binary: join(dir, 'no-such-prometheus') });
    await expect(start).rejects.toThrow(EnvironmentError);
    await expect(start).rejects.toThrow(
      /could not be run \(not found\): install the Debian "prometheus" package/,
    );
  });

  it('reports a Prometheus that exits before it is ready, with what it said', async () => {
    const fake = join(dir, 'exits-at-once');
    await writeFile(fake, '#!/bin/sh\necho "err: bad flag $1" >&2\nexit 3\n');
    await chmod(fake, 0o755);
    const start = startPrometheus({ ...options(), binary: fake });
    await expect(start).rejects.toThrow(/exited with 3 before it was ready:\nerr: bad flag --config.file=/);
  });

  it('refuses a non-loopback target before starting anything', async () => {
    await expect(
      startPrometheus({ ...options(), metricsUrl: 'http://192.0.2.1/metrics', binary: '/bin/true' }),
    ).rejects.toThrow('is not on loopback');
  });
});
