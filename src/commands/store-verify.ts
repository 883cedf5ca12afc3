import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import * as z from 'zod';
import { EnvironmentError, ExitCode, UsageError } from '../core/errors.js';
import type { CommandContext } from './context.js';

export interface StoreVerifyOptions {
  readonly url?: string;
  readonly databaseUrl?: string;
  readonly acknowledged?: string;
  /** Settle open payments first (with --url); default true. */
  readonly reconcile: boolean;
  readonly json: boolean;
}

/** The shape of the report, as the store's /admin/verify and the library both produce it. */
const reportSchema = z.object({
  ok: z.boolean(),
  counts: z.object({
    orders: z.record(z.string(), z.number()),
    charges: z.record(z.string(), z.number()),
    products: z.number(),
    acknowledged: z.number(),
  }),
  skipped: z.array(z.string()),
  violations: z.array(z.object({ invariant: z.string(), detail: z.string() })),
});
type Report = z.infer<typeof reportSchema>;

const acknowledgedSchema = z.array(
  z.object({ idempotencyKey: z.string().min(1), orderId: z.string().optional() }).strict(),
);

/**
 * `store verify`: the invariants of a store, checked from outside. With --url (default) the store
 * settles open payments, then checks its database against every vendor's ledger; with
 * --database-url only the database invariants are checked (the vendors' ledgers are the store's).
 * Exit 0 holds, 1 a violation, 2 bad input, 3 unreachable.
 */
export async function runStoreVerify(options: StoreVerifyOptions, ctx: CommandContext): Promise<ExitCode> {
  if (options.url && options.databaseUrl) throw new UsageError('give --url or --database-url, not both');
  const acknowledged = options.acknowledged
    ? await readAcknowledged(options.acknowledged, ctx.io.cwd)
    : undefined;
  const report = options.databaseUrl
    ? await verifyDatabase(options.databaseUrl, acknowledged)
    : await verifyThroughStore(options.url ?? 'http://127.0.0.1:8080', options.reconcile, acknowledged, ctx);
  if (options.json) ctx.io.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  else ctx.io.stdout.write(renderReport(report));
  return report.ok ? ExitCode.ok : ExitCode.checkFailed;
}

async function verifyThroughStore(
  url: string,
  reconcile: boolean,
  acknowledged: z.infer<typeof acknowledgedSchema> | undefined,
  ctx: CommandContext,
): Promise<Report> {
  const base = url.replace(/\/$/, '');
  const call = async (method: 'GET' | 'POST', path: string, body?: unknown): Promise<unknown> => {
    let response: Response;
    try {
      response = await fetch(`${base}${path}`, {
        method,
        signal: AbortSignal.timeout(60_000),
        ...(body === undefined
          ? {}
          : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
      });
    } catch (error) {
      throw new EnvironmentError(`cannot reach the store at ${base}: ${(error as Error).message}`);
    }
    const json: unknown = await response.json().catch(() => undefined);
    if (response.status !== 200 && !(path === '/admin/verify' && response.status === 409)) {
      throw new EnvironmentError(`${method} ${base}${path} answered ${response.status}`);
    }
    return json;
  };
  if (reconcile) {
    const settled = await call('POST', '/admin/reconcile');
    ctx.logger.info('reconciled open payments', flatCounts(settled));
  }
  const parsed = reportSchema.safeParse(
    await call('POST', '/admin/verify', acknowledged ? { acknowledged } : {}),
  );
  if (!parsed.success)
    throw new EnvironmentError(`${base} is not a shopsre store (its /admin/verify answer has another shape)`);
  return parsed.data;
}

async function verifyDatabase(
  databaseUrl: string,
  acknowledged: z.infer<typeof acknowledgedSchema> | undefined,
): Promise<Report> {
  const [{ default: pg }, { verifyInvariants }] = await Promise.all([
    import('pg'),
    import('../../reference-store/src/verify/invariants.js'),
  ]);
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 2, connectionTimeoutMillis: 5000 });
  try {
    const report = await verifyInvariants({ pool, ...(acknowledged ? { acknowledged } : {}) });
    return {
      ok: report.ok,
      counts: {
        ...report.counts,
        orders: { ...report.counts.orders },
        charges: { ...report.counts.charges },
      },
      skipped: [...report.skipped, 'vendor ledgers: use --url to check charges against the vendors'],
      violations: [...report.violations],
    };
  } catch (error) {
    throw new EnvironmentError(`cannot verify the database: ${(error as Error).message}`);
  } finally {
    await pool.end();
  }
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

function flatCounts(value: unknown): Record<string, number> {
  if (typeof value !== 'object' || value === null) return {};
  return Object.fromEntries(
    Object.entries(value).filter((e): e is [string, number] => typeof e[1] === 'number'),
  );
}

function renderReport(report: Report): string {
  const orders =
    Object.entries(report.counts.orders)
      .map(([status, n]) => `${status} ${n}`)
      .join(', ') || 'none';
  const charges =
    Object.entries(report.counts.charges)
      .map(([vendor, n]) => `${vendor} ${n}`)
      .join(', ') || 'not read';
  const lines = [
    `orders    ${orders}`,
    `charges   ${charges}`,
    `products  ${report.counts.products}`,
    ...(report.counts.acknowledged > 0 ? [`acknowledged checkouts  ${report.counts.acknowledged}`] : []),
    ...report.skipped.map((s) => `not checked: ${s}`),
    ...report.violations.map((v) => `VIOLATION ${v.invariant}: ${v.detail}`),
    report.ok ? 'invariants hold' : `${report.violations.length} violation(s)`,
  ];
  return `${lines.join('\n')}\n`;
}
