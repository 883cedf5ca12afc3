/**
 * The store's schema, one migration per entry, applied in order and recorded in `schema_migrations`.
 * Plain SQL that PostgreSQL 15 and PGlite both run, so the embedded database and a real one are the
 * same schema. Never edit an applied migration: add the next one.
 */
export interface Migration {
  readonly id: number;
  readonly name: string;
  readonly sql: string;
}

export const migrations: readonly Migration[] = [
  {
    id: 1,
    name: 'catalog, carts, orders, payments, outbox',
    sql: `
create table store_meta (
  key text primary key,
  value text not null
);

create table customers (
  id text primary key,
  segment text not null check (segment <> '')
);

create table products (
  id text primary key,
  sku text not null unique,
  name text not null,
  description text not null,
  category text not null,
  price_cents integer not null check (price_cents > 0),
  currency text not null default 'usd',
  image_path text not null,
  search tsvector generated always as (
    to_tsvector('english', name || ' ' || description || ' ' || category)
  ) stored
);
create index products_search_idx on products using gin (search);
create index products_category_idx on products (category, id);

-- Stock never goes negative: the check is the last line of defence behind the conditional update.
create table inventory (
  product_id text primary key references products (id),
  initial_stock integer not null check (initial_stock >= 0),
  stock integer not null check (stock >= 0)
);

create table cart_items (
  cart_key text not null,
  product_id text not null references products (id),
  quantity integer not null check (quantity > 0 and quantity <= 100),
  updated_at timestamptz not null default now(),
  primary key (cart_key, product_id)
);

-- archived: history seeded before this store's vendors existed; outside the invariants.
create table orders (
  id text primary key,
  idempotency_key text not null unique,
  request_hash text not null,
  cart_key text not null,
  segment text not null,
  status text not null check (status in ('pending', 'paid', 'payment_failed', 'payment_unknown', 'archived')),
  failure_reason text,
  total_cents integer not null check (total_cents >= 0),
  currency text not null,
  payment_provider text,
  payment_intent_id text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index orders_unknown_idx on orders (updated_at) where status in ('payment_unknown', 'pending');

create table order_items (
  order_id text not null references orders (id) on delete cascade,
  product_id text not null references products (id),
  quantity integer not null check (quantity > 0),
  unit_price_cents integer not null check (unit_price_cents > 0),
  primary key (order_id, product_id)
);

-- One row per attempt at a vendor; the token is never stored, only the vendor's intent id.
create table payments (
  id bigserial primary key,
  order_id text not null references orders (id) on delete cascade,
  provider text not null,
  attempt integer not null,
  status text not null check (status in ('succeeded', 'declined', 'failed', 'unknown')),
  intent_id text,
  error text,
  created_at timestamptz not null default now()
);
create index payments_order_idx on payments (order_id);

create table outbox (
  id bigserial primary key,
  aggregate_id text not null,
  event_type text not null,
  payload jsonb not null,
  created_at timestamptz not null default now(),
  published_at timestamptz,
  unique (aggregate_id, event_type)
);
`,
  },
  {
    id: 2,
    name: 'refunds of late charges',
    sql: `
-- A charge that arrived after its order had failed, given back through its vendor: one row per
-- intent, so a refund is recorded once however many store processes find the charge.
create table refunds (
  provider text not null,
  intent_id text not null,
  refund_id text not null,
  charge_id text not null,
  order_id text not null references orders (id),
  amount_cents integer not null check (amount_cents > 0),
  created_at timestamptz not null default now(),
  primary key (provider, intent_id)
);
create index refunds_order_idx on refunds (order_id);
`,
  },
  {
    id: 3,
    name: 'abandoned checkouts',
    sql: `
-- A checkout whose order was abandoned because no payment vendor could take it (nothing charged):
-- the order row goes (so the shopper can retry with the same idempotency key), this row stays, so
-- the books still show what customers failed to buy, by segment and value.
create table abandoned_checkouts (
  order_id text primary key,
  segment text not null,
  total_cents integer not null check (total_cents >= 0),
  currency text not null,
  reason text not null,
  created_at timestamptz not null,
  abandoned_at timestamptz not null default now()
);
create index abandoned_checkouts_created_idx on abandoned_checkouts (created_at);
`,
  },
];
