import { connect, createServer, type Socket } from 'node:net';
import { formatEndpoint, type Endpoint } from './address.js';
import { ProxyListener } from './listener.js';
import type { FaultProxy, ProxyDeps } from './fault-proxy.js';
import type { ProxyConfig } from './proxy-schema.js';
import { parseToxic, parseToxicPatch, type TcpEffect, type ToxicConfig } from './schema.js';
import { TcpConnection } from './tcp-connection.js';
import { draws, ToxicSet, type ActiveToxic } from './toxic-set.js';

/**
 * A TCP proxy (the database's, whose PostgreSQL wire protocol is opaque bytes here). A new upstream
 * applies to new connections only: the db-failover driver cuts the old ones with a `down` toxic.
 */
export async function startTcpProxy(
  config: ProxyConfig,
  { random, clock, toxicTtl }: ProxyDeps,
): Promise<FaultProxy> {
  const connections = new Set<TcpConnection>();
  let upstream: Endpoint = config.upstream;
  const toxics = new ToxicSet<TcpEffect>(clock, {
    added: (toxic) => {
      for (const connection of connections) connection.meet(toxic);
    },
    removed: (toxic) => {
      for (const connection of connections) connection.leave(toxic);
    },
    // As Toxiproxy, an updated toxic starts again on every connection (drawn again, timers restarted).
    updated: (previous, next) => {
      for (const connection of connections) {
        connection.leave(previous);
        connection.meet(next);
      }
    },
  });

  const server = createServer({ allowHalfOpen: true, noDelay: true }, (client) => {
    client.on('error', () => undefined);
    const active = toxics.active();
    if (active.length > 0 && refuses(active, random)) {
      client.destroy();
      return;
    }
    const { host, port } = upstream;
    const upstreamSocket: Socket = connect({ host, port, allowHalfOpen: true, noDelay: true });
    const connection = new TcpConnection(client, upstreamSocket, random, () =>
      connections.delete(connection),
    );
    connections.add(connection);
    for (const toxic of active) if (toxic.type !== 'down') connection.meet(toxic);
  });
  const listener = new ProxyListener(server, config.listen, () => {
    for (const connection of connections) connection.cut();
  });
  // Bound even when created disabled, so the answer names the real port the store will be given.
  await listener.setEnabled(true);
  if (!config.enabled) await listener.setEnabled(false);

  return {
    name: config.name,
    kind: 'tcp',
    get listen() {
      return listener.endpoint;
    },
    get upstream() {
      return formatEndpoint(upstream);
    },
    get enabled() {
      return listener.enabled;
    },
    setEnabled: (enabled) => listener.setEnabled(enabled),
    setListen: (next) => listener.moveTo(next),
    setUpstream: (next) => {
      upstream = next;
    },
    addToxic: (input) => toxics.add(parseToxic('tcp', input, toxicTtl)),
    updateToxic: (name, input) =>
      toxics.update(name, (current) => parseToxicPatch('tcp', current, input, toxicTtl) as TcpChange),
    toxics: () => toxics.active(),
    removeToxic: (name) => toxics.remove(name),
    clearToxics: () => toxics.clear(),
    close: async () => {
      toxics.clear();
      await listener.setEnabled(false);
    },
  };
}

/** A patch of a TCP toxic is a TCP toxic again (parseToxicPatch keeps the type). */
type TcpChange = { config: ToxicConfig<TcpEffect>; renewTtl: boolean };

/** While a `down` toxic lasts, a connection it draws is accepted and closed at once: refused, as a dead primary. */
function refuses(active: readonly ActiveToxic<TcpEffect>[], random: () => number): boolean {
  for (const toxic of active) {
    if (toxic.type === 'down' && draws(toxic.toxicity, random)) {
      toxic.hits++;
      return true;
    }
  }
  return false;
}
