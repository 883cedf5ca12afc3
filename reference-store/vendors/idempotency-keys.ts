// Stripe's rules (docs.stripe.com/api/idempotent_requests): a key's first result is saved and
// replayed; reusing it with other parameters is an error; while the first request runs, the key is
// in use. A request that fails before processing saves nothing, so the key can be retried.
export type KeyClaim<R> =
  | { readonly kind: 'claimed' }
  | { readonly kind: 'replay'; readonly response: R }
  | { readonly kind: 'in_use' }
  | { readonly kind: 'reused' };

export interface IdempotencyKeys<R> {
  claim(key: string, fingerprint: string): KeyClaim<R>;
  save(key: string, response: R): void;
  release(key: string): void;
  replays(): number;
}

interface KeyEntry<R> {
  readonly fingerprint: string;
  response?: R;
}

export function createIdempotencyKeys<R>(): IdempotencyKeys<R> {
  const entries = new Map<string, KeyEntry<R>>();
  let replays = 0;
  return {
    claim(key, fingerprint) {
      const entry = entries.get(key);
      if (entry === undefined) {
        entries.set(key, { fingerprint });
        return { kind: 'claimed' };
      }
      if (entry.fingerprint !== fingerprint) return { kind: 'reused' };
      if (entry.response === undefined) return { kind: 'in_use' };
      replays += 1;
      return { kind: 'replay', response: entry.response };
    },
    save(key, response) {
      const entry = entries.get(key);
      if (entry !== undefined) entry.response = response;
    },
    release(key) {
      if (entries.get(key)?.response === undefined) entries.delete(key);
    },
    replays: () => replays,
  };
}
