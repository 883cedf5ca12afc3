import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/core/errors.js';
import { prometheusConfig } from '../../../src/gameday/prometheus/prometheus-config.js';

describe("the game day's Prometheus configuration", () => {
  const base = { scrapeIntervalMs: 1000, evaluationIntervalMs: 1000, ruleFiles: ['/tmp/run/slo.rules.yaml'] };

  it('scrapes the loopback target every second, with a timeout no longer than the interval, and loads the rules', () => {
    const config: unknown = JSON.parse(
      prometheusConfig({ ...base, metricsUrl: 'http://127.0.0.1:4123/metrics' }),
    );
    expect(config).toEqual({
      global: { scrape_interval: '1s', scrape_timeout: '1s', evaluation_interval: '1s' },
      rule_files: ['/tmp/run/slo.rules.yaml'],
      scrape_configs: [
        {
          job_name: 'shopsre-gameday',
          scheme: 'http',
          metrics_path: '/metrics',
          static_configs: [{ targets: ['127.0.0.1:4123'] }],
        },
      ],
    });
  });

  it('passes query parameters as params, which Prometheus adds to the request itself', () => {
    const config = JSON.parse(prometheusConfig({ ...base, metricsUrl: 'http://localhost:80/m?a=1&a=2' })) as {
      scrape_configs: [{ params: unknown; metrics_path: string; static_configs: [{ targets: string[] }] }];
    };
    expect(config.scrape_configs[0]).toMatchObject({
      metrics_path: '/m',
      params: { a: ['1', '2'] },
      static_configs: [{ targets: ['localhost:80'] }],
    });
  });

  it.each([
    'http://10.0.0.5:9100/metrics',
    'http://example.com/metrics',
    'ftp://127.0.0.1/metrics',
    'not a url',
  ])('refuses %s: game days scrape loopback only', (metricsUrl) => {
    expect(() => prometheusConfig({ ...base, metricsUrl })).toThrow(UsageError);
  });
});
