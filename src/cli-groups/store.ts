import { collect } from './options.js';
import type { RegisterGroup } from './types.js';

/** `store serve | verify`: flags in, a lazily imported handler chosen. */
export const registerStoreCommands: RegisterGroup = (program, select) => {
  const store = program
    .command('store')
    .description(
      'the bundled reference store: catalog, cart, checkout, payments through vendors, CDN assets',
    );

  store
    .command('serve')
    .description('start the store with its vendors, CDN and (unless --database-url) the embedded database')
    .option('--port <port>', 'port of the store API (0: any free port)', '8080')
    .option('--host <host>', 'address to bind every server to', '127.0.0.1')
    .option(
      '--database-url <url>',
      'use this PostgreSQL (migrated and seeded on first use) instead of the embedded one',
    )
    .option('--replica-url <url>', 'a read replica: catalog reads go there, and fall back to the primary')
    .option('--seed <n>', 'seed of the catalog, stock and customers; the same seed gives the same store', '1')
    .option('--products <n>', 'products in the seeded catalog (default 2000)')
    .option('--data-dir <dir>', 'keep the embedded database here across runs (default: a fresh copy per run)')
    .option('--max-in-flight <n>', 'requests in flight before the store sheds load with 503 (default 256)')
    .option('--chaos-port <port>', "port of the fault proxies' control API (0: any free port)", '8474')
    .option('--no-fault-proxies', 'connect the store to its dependencies directly, with no fault proxies')
    .option(
      '--admin-token <token>',
      'bearer token /admin/* requires (prefer SHOPSRE_ADMIN_TOKEN: a flag is visible in ps)',
    )
    .option('--json', 'print the addresses as one JSON line (for scripts)')
    .addHelpText(
      'after',
      [
        '',
        'A fault proxy sits on every link (database, vendor-primary, vendor-backup, cdn-edge, and',
        'cdn-origin between edge and origin); `shopsre chaos inject` drives them through the control API.',
        'Every dependency listens on its own loopback port so faults can be put between them. The',
        "store's JSON logs go to stderr; OTEL_EXPORTER_OTLP_ENDPOINT turns on OTLP trace export.",
        'Bound beyond loopback (--host 0.0.0.0), /admin/* requires a bearer token: SHOPSRE_ADMIN_TOKEN, or',
        '--admin-token (visible to anyone running ps), else one made up and printed once on stdout.',
        'Exit codes: 0 stopped by SIGINT/SIGTERM, 2 bad flags, 3 a port or the database is unavailable.',
        '',
        'Examples:',
        '  shopsre store serve',
        '  shopsre store serve --port 9000 --seed 7 --json',
        '  shopsre store serve --database-url postgres://shop@127.0.0.1:5432/shop --replica-url postgres://shop@127.0.0.1:5433/shop',
        "  curl -s localhost:8080/api/products?q=kettle -H 'x-customer-segment: vip'",
      ].join('\n'),
    )
    .action(
      (opts: {
        port: string;
        host: string;
        databaseUrl?: string;
        replicaUrl?: string;
        seed: string;
        products?: string;
        dataDir?: string;
        maxInFlight?: string;
        chaosPort: string;
        faultProxies: boolean;
        adminToken?: string;
        json?: boolean;
      }) => {
        select(async (ctx) => {
          const { runStoreServe } = await import('../commands/store-serve.js');
          return runStoreServe({ ...opts, json: Boolean(opts.json) }, ctx);
        });
      },
    );

  store
    .command('verify')
    .description("check the store's invariants: orders, charges at the vendors, stock, open payments")
    .option('--url <url>', 'a running store (default http://127.0.0.1:8080); checks the vendor ledgers too')
    .option(
      '--database-url <url>',
      "the store's database, and the ledgers of the vendors given with --vendor",
    )
    .option(
      '--vendor <name=url>',
      'with --database-url: a vendor whose ledger to read, its key in SHOPSRE_VENDOR_<NAME>_KEY (repeatable)',
      collect,
      [],
    )
    .option('--acknowledged <file>', 'JSON array of { idempotencyKey, orderId? } a client saw answered 2xx')
    .option('--no-reconcile', 'do not settle open payments before checking (with --url)')
    .option(
      '--admin-token <token>',
      "with --url: the store's admin token; prefer SHOPSRE_ADMIN_TOKEN (a flag is visible in ps)",
    )
    .option('--json', 'print the report as JSON')
    .addHelpText(
      'after',
      [
        '',
        'Invariants: every acknowledged checkout has exactly one order; every paid order exactly one',
        'captured charge across vendors, of its total; every charge belongs to a paid order or has been',
        'refunded; stock never negative and equal to initial stock minus units sold; no order left',
        'pending or unknown. With --database-url and no --vendor, charges are not checked (and said so).',
        'A store bound beyond loopback requires its admin token: set SHOPSRE_ADMIN_TOKEN (store serve',
        'prints the one it made up); --admin-token works too, but anyone running ps can read it.',
        'Exit codes: 0 what was checked holds, 1 a violation, 2 bad input, 3 the store, database or a',
        'vendor ledger is unreachable.',
        '',
        'Examples:',
        '  shopsre store verify',
        '  shopsre store verify --url http://127.0.0.1:9000 --acknowledged acked.json --json',
        '  shopsre store verify --database-url postgres://shop@127.0.0.1:5432/shop',
        '  SHOPSRE_VENDOR_PRIMARY_KEY=sk_test_1 SHOPSRE_VENDOR_BACKUP_KEY=sk_test_2 shopsre store verify \\',
        '    --database-url postgres://shop@127.0.0.1:5432/shop \\',
        '    --vendor primary=http://127.0.0.1:34129 --vendor backup=http://127.0.0.1:44133',
      ].join('\n'),
    )
    .action(
      (opts: {
        url?: string;
        databaseUrl?: string;
        vendor: string[];
        acknowledged?: string;
        reconcile: boolean;
        adminToken?: string;
        json?: boolean;
      }) => {
        select(async (ctx) => {
          const { runStoreVerify } = await import('../commands/store-verify.js');
          return runStoreVerify({ ...opts, json: Boolean(opts.json) }, ctx);
        });
      },
    );
};
