import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { findExecutable } from '../../src/core/executables.js';
import { freePort } from './prometheus.js';
import { startUntilReady } from './ready-process.js';

/** Where Debian's `prometheus-alertmanager` package put its binary, or why it cannot be used. */
export type AlertmanagerAvailability =
  | { readonly available: true; readonly alertmanager: string }
  | { readonly available: false; readonly reason: string };

export function alertmanagerAvailability(): AlertmanagerAvailability {
  const alertmanager = findExecutable('prometheus-alertmanager') ?? findExecutable('alertmanager');
  return alertmanager
    ? { available: true, alertmanager }
    : {
        available: false,
        reason:
          'prometheus-alertmanager not found: install the Debian "prometheus-alertmanager" package (scripts/install-system-deps.sh)',
      };
}

export interface RunningAlertmanager {
  /** Base URL, e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  /** `host:port`, as Prometheus' `alerting.alertmanagers[].static_configs` wants it. */
  readonly address: string;
  logs(): string;
  stop(): Promise<void>;
}

/**
 * Alertmanager on a free loopback port, one route to `webhookUrl` that notifies at once (group_wait
 * 0 s) and groups by alert name and segment, with clustering off (it would bind 0.0.0.0:9094
 * otherwise). Waits until it is ready. `stop` sends SIGTERM (SIGKILL after 10 s) and waits.
 */
export async function startAlertmanager(options: {
  readonly binary: string;
  readonly dir: string;
  readonly webhookUrl: string;
}): Promise<RunningAlertmanager> {
  const port = await freePort();
  const address = `127.0.0.1:${port}`;
  const url = `http://${address}`;
  const configFile = join(options.dir, 'alertmanager.yml');
  writeFileSync(
    configFile,
    [
      'route:',
      '  receiver: webhook',
      "  group_by: ['alertname', 'segment']",
      '  group_wait: 0s',
      '  group_interval: 1s',
      '  repeat_interval: 1h',
      'receivers:',
      '  - name: webhook',
      '    webhook_configs:',
      `      - url: ${options.webhookUrl}`,
      '        send_resolved: true',
      '',
    ].join('\n'),
  );
  const running = await startUntilReady(
    'alertmanager',
    options.binary,
    [
      `--config.file=${configFile}`,
      `--storage.path=${join(options.dir, 'data')}`,
      `--web.listen-address=${address}`,
      '--cluster.listen-address=',
    ],
    `${url}/-/ready`,
  );
  return { url, address, ...running };
}
