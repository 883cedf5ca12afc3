import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import * as z from 'zod';
import { ExitCode, UsageError } from '../core/errors.js';
import { adminTokenOption } from '../../reference-store/src/http/admin-access.js';
import { secretKeyVariable, type VendorEndpoint } from '../../reference-store/src/payments/vendor-client.js';
import type { VerifyReport } from '../../reference-store/src/verify/store-client.js';
import type { CommandContext } from './context.js';

export interface StoreVerifyOptions {
  readonly url?: string;
  readonly databaseUrl?: string;
  /** `name=url` of each vendor whose ledger to read (with --database-url). */
  readonly vendor?: readonly string[];
  readonly acknowledged?: string;
  /** Settle open payments first (with --url); default true. */
  readonly reconcile: boolean;
  /** Sent to the store's /admin/* (with --url); else SHOPSRE_ADMIN_TOKEN. */
  readonly adminToken?: string;
  readonly json: boolean;
}

const acknowledgedSchema = z.array(
  z.object({ idempotencyKey: z.string().min(1), orderId: z.string().optional() }).strict(),
);

/**
 * `store verify`: the invariants of a store, checked from outside. With --url (default) the store
 * settles open payments, then checks its database against every vendor's ledger; with
 * --database-url the database, and the ledgers of the vendors given with --vendor.
 * Exit 0 what was checked holds, 1 a violation, 2 bad input, 3 unreachable (a ledger included).
 */
export async function runStoreVerify(options: StoreVerifyOptions, ctx: CommandContext): Promise<ExitCode> {
  if (options.url && options.databaseUrl) throw new UsageError('give --url or --database-url, not both');
  const vendorFlags = options.vendor ?? [];
  if (vendorFlags.length > 0 && !options.databaseUrl) {
    throw new UsageError('--vendor goes with --database-url; with --url the store reads its own vendors');
  }
  if (options.adminToken !== undefined && options.databaseUrl) {
    throw new UsageError('--admin-token goes with --url: the store asks for it, the database does not');
  }
  const vendors = parseVendors(vendorFlags, ctx.io.env);
  const acknowledged = options.acknowledged
    ? await readAcknowledged(options.acknowledged, ctx.io.cwd)
    : undefined;
  let report: VerifyReport;
  if (options.databaseUrl) {
    const { verifyDatabase } = await import('../../reference-store/src/verify/verify-database.js');
    if (vendors.length === 0) {
      ctx.logger.info('charges not checked: give --vendor NAME=URL for each vendor to read its ledger');
    }
    report = await verifyDatabase({
      databaseUrl: options.databaseUrl,
      vendors,
      ...(acknowledged ? { acknowledged } : {}),
    });
  } else {
    const { verifyThroughStore } = await import('../../reference-store/src/verify/store-client.js');
    const adminToken = adminTokenOption(options.adminToken, ctx.io.env);
    report = await verifyThroughStore({
      ...(adminToken === undefined ? {} : { adminToken }),
      url: options.url ?? 'http://127.0.0.1:8080',
      reconcile: options.reconcile,
      ...(acknowledged ? { acknowledged } : {}),
      onReconciled: (counts) => ctx.logger.info('reconciled open payments', counts),
    });
  }
  if (options.json) ctx.io.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  else ctx.io.stdout.write(renderReport(report));
  return exitCodeOf(report);
}

/** A broken invariant is 1; a ledger that could not be read, and nothing broken otherwise, is 3. */
function exitCodeOf(report: VerifyReport): ExitCode {
  if (report.ok) return ExitCode.ok;
  const broken = report.violations.some((v) => v.invariant !== 'vendor-ledger-readable');
  return broken ? ExitCode.checkFailed : ExitCode.environment;
}

function parseVendors(
  flags: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): VendorEndpoint[] {
  const vendors: VendorEndpoint[] = [];
  for (const flag of flags) {
    const match = /^([A-Za-z0-9_-]+)=(https?:\/\/.+)$/.exec(flag);
    const name = match?.[1];
    const url = match?.[2];
    if (name === undefined || url === undefined) {
      throw new UsageError(
        `--vendor ${flag}: expected NAME=URL, e.g. --vendor primary=http://127.0.0.1:34129`,
      );
    }
    if (vendors.some((v) => v.name === name)) throw new UsageError(`--vendor ${name} is given twice`);
    const variable = secretKeyVariable(name);
    const secretKey = env[variable];
    if (secretKey === undefined || secretKey === '') {
      throw new UsageError(
        `--vendor ${name}: set ${variable} to its secret key (store serve uses the same variable)`,
      );
    }
    vendors.push({ name, url, secretKey });
  }
  return vendors;
}

async function readAcknowledged(file: string, cwd: string): Promise<z.infer<typeof acknowledgedSchema>> {
  let text: string;
  try {
    text = await readFile(resolve(cwd, file), 'utf8');
  } catch (error) {
    throw new UsageError(
      `--acknowledged ${file}: cannot read it (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new UsageError(`${file}: not JSON; expected [{ "idempotencyKey": "...", "orderId": "..." }, ...]`);
  }
  const parsed = acknowledgedSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UsageError(`${file}: at ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}`);
  }
  return parsed.data;
}

function renderReport(report: VerifyReport): string {
  const orders =
    Object.entries(report.counts.orders)
      .map(([status, n]) => `${status} ${n}`)
      .join(', ') || 'none';
  const charges =
    Object.entries(report.counts.charges)
      .map(([vendor, n]) => {
        const refunds = report.counts.refunds[vendor] ?? 0;
        return `${vendor} ${n}${refunds > 0 ? ` (${refunds} refunded)` : ''}`;
      })
      .join(', ') || 'not checked';
  const lines = [
    `orders    ${orders}`,
    `charges   ${charges}`,
    `products  ${report.counts.products}`,
    ...(report.counts.acknowledged > 0 ? [`acknowledged checkouts  ${report.counts.acknowledged}`] : []),
    ...report.skipped.map((s) => `skipped   ${s}`),
    ...report.violations.map((v) => `VIOLATION ${v.invariant}: ${v.detail}`),
    report.ok
      ? `invariants hold${report.skipped.length > 0 ? ' (for what was checked)' : ''}`
      : `${report.violations.length} violation(s)`,
  ];
  return `${lines.join('\n')}\n`;
}
