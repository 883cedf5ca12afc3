import type { Clock } from '../../../core/clock.js';
import { FaultProxyError } from './errors.js';
import type { ToxicConfig, ToxicEffect, ToxicMatch, ToxicStream } from './schema.js';

/** A toxic in force: its config, when it ends, and what it did so far. */
export type ActiveToxic<E extends ToxicEffect = ToxicEffect> = ToxicConfig<E> & {
  /** Epoch ms, from the server's clock. */
  readonly createdAt: number;
  readonly expiresAt: number;
  /** Connections (tcp) or requests (http) it affected. */
  hits: number;
  /** Requests that matched it, counted for `firstN`. */
  matched: number;
};

/** A toxic as the control API shows it. */
export type ToxicSnapshot = ToxicEffect & {
  readonly name: string;
  readonly stream: ToxicStream;
  readonly toxicity: number;
  readonly match: ToxicMatch;
  readonly firstN: number;
  /** The TTL it was given, or the server's default one. */
  readonly ttlMs: number;
  readonly hits: number;
  readonly createdAt: number;
  readonly expiresAt: number;
};

export function toxicSnapshot(toxic: ActiveToxic): ToxicSnapshot {
  const { name, type, stream, toxicity, attributes, match, firstN, ttlMs, hits, createdAt, expiresAt } =
    toxic;
  // The union's members share every key, so this is one of them again.
  return {
    name,
    type,
    stream,
    toxicity,
    attributes,
    match,
    firstN,
    ttlMs,
    hits,
    createdAt,
    expiresAt,
  } as ToxicSnapshot;
}

interface ToxicHooks<E extends ToxicEffect> {
  added(toxic: ActiveToxic<E>): void;
  /** After it left the list: deleted, expired, or cleared by a reset. */
  removed(toxic: ActiveToxic<E>): void;
  /** After `next` took the place of `previous` (a toxic update). */
  updated(previous: ActiveToxic<E>, next: ActiveToxic<E>): void;
}

/**
 * The toxics of one proxy, in creation order. Each is removed by its own unref'd timer when its TTL
 * passes, and also checked against the clock whenever the proxy reads the list, so a stalled timer (or
 * an injected clock running ahead) never keeps a fault alive. The list is replaced, never mutated, so a
 * connection iterating over it is not disturbed by a removal.
 */
export class ToxicSet<E extends ToxicEffect> {
  private list: readonly ActiveToxic<E>[] = [];
  private readonly timers = new Map<ActiveToxic<E>, NodeJS.Timeout>();
  private nextExpiry = Infinity;

  constructor(
    private readonly clock: Clock,
    private readonly hooks: ToxicHooks<E>,
  ) {}

  /** The toxics in force now; cheap when there are none. */
  active(): readonly ActiveToxic<E>[] {
    if (this.list.length > 0 && this.nextExpiry <= this.clock.now()) this.expire();
    return this.list;
  }

  add(config: ToxicConfig<E>): ActiveToxic<E> {
    if (this.active().some((toxic) => toxic.name === config.name)) {
      throw new FaultProxyError(409, `toxic '${config.name}' already exists`);
    }
    const createdAt = this.clock.now();
    const toxic: ActiveToxic<E> = Object.assign({}, config, {
      createdAt,
      expiresAt: createdAt + config.ttlMs,
      hits: 0,
      matched: 0,
    });
    this.list = [...this.list, toxic];
    this.nextExpiry = Math.min(this.nextExpiry, toxic.expiresAt);
    this.timers.set(toxic, setTimeout(() => this.drop([toxic]), config.ttlMs).unref());
    this.hooks.added(toxic);
    return toxic;
  }

  /**
   * Puts a new config in the toxic's place, keeping its position, its counts and (unless `renewTtl`)
   * its expiry; undefined when there is no such toxic.
   */
  update(
    name: string,
    change: (current: ActiveToxic<E>) => { config: ToxicConfig<E>; renewTtl: boolean },
  ): ActiveToxic<E> | undefined {
    const previous = this.find(name);
    if (!previous) return undefined;
    const { config, renewTtl } = change(previous);
    const now = this.clock.now();
    const next: ActiveToxic<E> = Object.assign({}, config, {
      createdAt: previous.createdAt,
      expiresAt: renewTtl ? now + config.ttlMs : previous.expiresAt,
      hits: previous.hits,
      matched: previous.matched,
    });
    this.list = this.list.map((toxic) => (toxic === previous ? next : toxic));
    clearTimeout(this.timers.get(previous));
    this.timers.delete(previous);
    this.timers.set(next, setTimeout(() => this.drop([next]), Math.max(0, next.expiresAt - now)).unref());
    this.nextExpiry = Math.min(Infinity, ...this.list.map((toxic) => toxic.expiresAt));
    this.hooks.updated(previous, next);
    return next;
  }

  find(name: string): ActiveToxic<E> | undefined {
    return this.active().find((toxic) => toxic.name === name);
  }

  remove(name: string): boolean {
    const toxic = this.find(name);
    if (toxic) this.drop([toxic]);
    return toxic !== undefined;
  }

  clear(): void {
    this.drop(this.list);
  }

  private expire(): void {
    const now = this.clock.now();
    this.drop(this.list.filter((toxic) => toxic.expiresAt <= now));
  }

  private drop(gone: readonly ActiveToxic<E>[]): void {
    const leaving = gone.filter((toxic) => this.timers.has(toxic));
    if (leaving.length === 0) return;
    this.list = this.list.filter((toxic) => !leaving.includes(toxic));
    this.nextExpiry = Math.min(Infinity, ...this.list.map((toxic) => toxic.expiresAt));
    for (const toxic of leaving) {
      clearTimeout(this.timers.get(toxic));
      this.timers.delete(toxic);
      this.hooks.removed(toxic);
    }
  }
}

/** Whether this connection or request gets a toxic of this toxicity (one draw, none at 0 or 1). */
export function draws(toxicity: number, random: () => number): boolean {
  return toxicity >= 1 || (toxicity > 0 && random() < toxicity);
}
