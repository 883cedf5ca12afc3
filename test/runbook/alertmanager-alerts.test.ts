import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { runRunbookAlerts } from '../../src/commands/runbook-alerts.js';
import { runRunbookRun } from '../../src/commands/runbook-run.js';
import { ExitCode, UsageError } from '../../src/core/errors.js';
import { startAlertmanager, type RunningAlertmanager } from '../helpers/alertmanager.js';
import { describeWithAlertmanager } from '../helpers/describe-with-alertmanager.js';
import { startLoopbackServer, type LoopbackServer } from '../helpers/loopback-server.js';
import { startPrometheus, type RunningPrometheus } from '../helpers/prometheus.js';
import { labelsStep, runbookText } from './builders.js';
import {
  commandContext,
  noSignals,
  readRecord,
  repoRoot,
  vipCheckoutPage,
  writeFiringRules,
} from './helpers.js';

/**
 * The whole paging chain with real components (Debian's Prometheus and Alertmanager): Prometheus
 * evaluates two alerting rules that fire at once and sends them to Alertmanager, where one is
 * silenced. `runbook alerts --alertmanager` must list only the one that pages (active, not
 * silenced) and open its runbook with its labels; the webhook payload Alertmanager posts for it,
 * saved as received, must open the same runbook through `runbook run --alert-file`. In CI a missing
 * binary fails the suite.
 */
describeWithAlertmanager('runbook alerts against a real Alertmanager', (binaries) => {
  const workdir = mkdtempSync(join(tmpdir(), 'shopsre-runbook-alertmanager-'));
  const dir = join(workdir, 'runbooks');
  const paging = vipCheckoutPage.alert;
  const silenced = 'CatalogLatencyBudgetBurn';
  const webhookBodies: string[] = [];
  let receiver: LoopbackServer | undefined;
  let alertmanager: RunningAlertmanager | undefined;
  let prometheus: RunningPrometheus | undefined;
  let silenceId = '';

  beforeAll(async () => {
    mkdirSync(dir);
    writeFileSync(
      join(dir, 'checkout-availability.md'),
      runbookText({
        steps: [labelsStep],
      }),
    );
    receiver = await startLoopbackServer((request, response) => {
      let body = '';
      request.setEncoding('utf8');
      request.on('data', (chunk: string) => (body += chunk));
      request.on('end', () => {
        webhookBodies.push(body);
        response.writeHead(200).end();
      });
    });
    alertmanager = await startAlertmanager({
      binary: binaries.alertmanager,
      dir: workdir,
      webhookUrl: `${receiver.url}/hook`,
    });
    // The silence exists before any alert arrives, so the silenced alert never notifies anyone.
    const now = Date.now();
    const silence = await fetch(`${alertmanager.url}/api/v2/silences`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        matchers: [{ name: 'alertname', value: silenced, isRegex: false, isEqual: true }],
        startsAt: new Date(now - 60_000).toISOString(),
        endsAt: new Date(now + 3_600_000).toISOString(),
        createdBy: 'shopsre tests',
        comment: 'known, being worked on',
      }),
    });
    expect(silence.status, await silence.clone().text()).toBe(200);
    silenceId = ((await silence.json()) as { silenceID: string }).silenceID;

    const rules = writeFiringRules(join(workdir, 'rules.yaml'), [
      vipCheckoutPage,
      {
        alert: silenced,
        labels: {
          segment: 'guest',
          sloth_slo: 'catalog-latency',
          sloth_service: 'store',
          severity: 'ticket',
        },
      },
    ]);
    const configFile = join(workdir, 'prometheus.yml');
    writeFileSync(
      configFile,
      [
        'global:',
        '  evaluation_interval: 1s',
        `rule_files: [${JSON.stringify(rules)}]`,
        'alerting:',
        '  alertmanagers:',
        `    - static_configs: [{ targets: ['${alertmanager.address}'] }]`,
        '',
      ].join('\n'),
    );
    prometheus = await startPrometheus({
      binary: binaries.prometheus,
      configFile,
      dataDir: join(workdir, 'prometheus'),
      // The alerts fire at the first evaluation, before the notifier knows of Alertmanager (its
      // address arrives on the discovery manager's 5 s tick): what was sent to nobody is sent
      // again only after the resend delay, a minute by default.
      extraArgs: ['--rules.alert.resend-delay=1s'],
    });
    await vi.waitFor(
      async () => {
        const alerts = (await (await fetch(`${alertmanager?.url ?? ''}/api/v2/alerts`)).json()) as {
          labels: { alertname: string };
        }[];
        expect(alerts.map((a) => a.labels.alertname).sort()).toEqual([silenced, paging].sort());
        expect(webhookBodies.some((body) => body.includes(paging))).toBe(true);
      },
      { timeout: 45_000, interval: 250 },
    );
  }, 90_000);

  afterAll(async () => {
    await prometheus?.stop();
    await alertmanager?.stop();
    await receiver?.close();
    rmSync(workdir, { recursive: true, force: true });
  });

  const flags = { dir, labels: [], yes: false, readonly: false, json: false };

  it('lists only the alert that pages: the silenced one is left out', async () => {
    const raw = (await (await fetch(`${alertmanager?.url ?? ''}/api/v2/alerts`)).json()) as {
      labels: { alertname: string };
      status: { state: string; silencedBy: string[] };
      startsAt: string;
    }[];
    const rawSilenced = raw.find((a) => a.labels.alertname === silenced);
    expect(rawSilenced?.status).toMatchObject({ state: 'suppressed', silencedBy: [silenceId] });

    const { ctx, stdout } = commandContext(repoRoot);
    const code = await runRunbookAlerts({ ...flags, alertmanager: alertmanager?.url ?? '' }, ctx);
    expect(code).toBe(ExitCode.ok);
    const lines = stdout.text().split('\n');
    expect(lines[0]).toMatch(/^#\s+ALERT\s+LABELS\s+SINCE\s+RUNBOOK$/);
    expect(lines[1]).toMatch(
      new RegExp(
        `^1\\s+${paging}\\s+segment=vip severity=page sloth_slo=checkout-availability sloth_service=store\\s+\\d{4}-\\S+\\s+checkout-availability$`,
      ),
    );
    expect(lines[2]).toBe('');
    expect(stdout.text()).not.toContain(silenced);

    const json = commandContext(repoRoot);
    await runRunbookAlerts({ ...flags, json: true, alertmanager: alertmanager?.url ?? '' }, json.ctx);
    const listed = JSON.parse(json.stdout.text()) as {
      source: { kind: string };
      alerts: { name: string; since: string; runbook: string | null; annotations: Record<string, string> }[];
    };
    expect(listed.source.kind).toBe('alertmanager');
    expect(listed.alerts).toHaveLength(1);
    expect(listed.alerts[0]).toMatchObject({
      name: paging,
      runbook: 'checkout-availability',
      annotations: { summary: 'checkout burns' },
      since: raw.find((a) => a.labels.alertname === paging)?.startsAt,
    });
  });

  it('opens it with the labels Alertmanager holds', async () => {
    const record = join(workdir, 'record-alerts.jsonl');
    const { ctx, stderr } = commandContext(repoRoot);
    const code = await runRunbookAlerts(
      { ...flags, alertmanager: alertmanager?.url ?? '', open: '1', yes: true, readonly: true, record },
      ctx,
      { signals: noSignals },
    );
    expect(stderr.text()).toContain(`alert ${paging} {`);
    expect(code).toBe(ExitCode.ok);
    const [labels] = readRecord(record);
    expect(labels).toMatchObject({
      step: 'labels',
      outcome: 'passed',
      output: 'segment=vip slo=checkout-availability service=store',
    });
  });

  it('opens the same runbook from the webhook payload Alertmanager posted, saved as received', async () => {
    const body = webhookBodies.find((b) => b.includes(paging)) ?? '';
    const payload = JSON.parse(body) as { version: string; status: string; alerts: unknown[] };
    // The payload this parser was written from: version 4, one group, firing.
    expect(payload).toMatchObject({ version: '4', status: 'firing' });
    expect(webhookBodies.some((b) => b.includes(silenced))).toBe(false);
    const file = join(workdir, 'webhook.json');
    writeFileSync(file, body);
    const record = join(workdir, 'record-webhook.jsonl');
    const { ctx, stderr } = commandContext(workdir);
    const code = await runRunbookRun(
      { ...flags, alertFile: 'webhook.json', yes: true, readonly: true, record },
      ctx,
      { signals: noSignals },
    );
    expect(stderr.text()).toContain(`alert ${paging} {`);
    expect(code).toBe(ExitCode.ok);
    expect(readRecord(record)[0]?.output).toBe('segment=vip slo=checkout-availability service=store');
  });

  it('finds nothing to open in a payload whose alerts have all resolved', async () => {
    const body = webhookBodies.find((b) => b.includes(paging)) ?? '';
    const payload = JSON.parse(body) as { status: string; alerts: { status: string; endsAt: string }[] };
    // The same payload as Alertmanager sends it once the alert resolves (send_resolved).
    const resolved = {
      ...payload,
      status: 'resolved',
      alerts: payload.alerts.map((a) => ({ ...a, status: 'resolved', endsAt: new Date().toISOString() })),
    };
    writeFileSync(join(workdir, 'resolved.json'), JSON.stringify(resolved));
    const { ctx } = commandContext(workdir);
    await expect(
      runRunbookRun({ ...flags, alertFile: 'resolved.json', yes: true, readonly: true }, ctx, {
        signals: noSignals,
      }),
    ).rejects.toThrow(
      new UsageError('--alert-file resolved.json: no firing alert has a runbook (alerts: none firing)'),
    );
  });
});
