import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { findExecutable } from '../../src/core/executables.js';
import { freePort } from './prometheus.js';

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
  const logs: string[] = [];
  const child: ChildProcess = spawn(
    options.binary,
    [
      `--config.file=${configFile}`,
      `--storage.path=${join(options.dir, 'data')}`,
      `--web.listen-address=${address}`,
      '--cluster.listen-address=',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  child.stderr?.on('data', (chunk: Buffer) => logs.push(chunk.toString()));
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  };
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`alertmanager exited with ${child.exitCode}:\n${logs.join('')}`);
    const ready = await fetch(`${url}/-/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`alertmanager not ready after 30 s:\n${logs.join('')}`);
    }
    // Polling a real process start-up; there is nothing to fake here.
    await delay(100);
  }
  return { url, address, logs: () => logs.join(''), stop };
}
