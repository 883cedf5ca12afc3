import type { Socket } from 'node:net';
import type { TcpEffect, ToxicStream } from './schema.js';
import { TcpLink } from './tcp-link.js';
import { draws, type ActiveToxic } from './toxic-set.js';

/**
 * A client connection and its upstream connection, with the toxics that this connection drew. Toxics
 * act on connections already open as well as new ones (db-latency must slow a warm pool), so each toxic
 * meets every connection once, when either of them appears; the connection draws then with the proxy's
 * random source whether the toxic applies to it.
 */
export class TcpConnection {
  private readonly links: Readonly<Record<ToxicStream, TcpLink>>;
  private readonly timers = new Map<ActiveToxic<TcpEffect>, NodeJS.Timeout>();
  private closed = false;

  constructor(
    private readonly client: Socket,
    private readonly upstream: Socket,
    private readonly random: () => number,
    onClose: () => void,
  ) {
    this.links = {
      upstream: new TcpLink(client, upstream, random, () => this.cut()),
      downstream: new TcpLink(upstream, client, random, () => this.cut()),
    };
    const close = (): void => {
      if (this.closed) return;
      this.closed = true;
      for (const timer of this.timers.values()) clearTimeout(timer);
      this.links.upstream.close();
      this.links.downstream.close();
      client.destroy();
      upstream.destroy();
      onClose();
    };
    // A reset on one side is passed on as a reset, anything else as a close.
    const passOn = (other: Socket) => (error: NodeJS.ErrnoException) => {
      if (error.code === 'ECONNRESET' && !other.destroyed) other.resetAndDestroy();
      close();
    };
    client.on('error', passOn(upstream));
    upstream.on('error', passOn(client));
    // A side that closed cleanly: what the other direction still holds (latency, slow_close) goes out first.
    client.on('close', () => this.links.upstream.finish(close));
    upstream.on('close', () => this.links.downstream.finish(close));
  }

  /** Draws whether the toxic applies to this connection, and applies it (a hit) when it does. */
  meet(toxic: ActiveToxic<TcpEffect>): void {
    if (this.closed || !draws(toxic.toxicity, this.random)) return;
    toxic.hits++;
    switch (toxic.type) {
      case 'down':
        this.cut();
        break;
      case 'reset_peer':
        this.after(toxic, toxic.attributes.timeout, () => this.reset(toxic.stream));
        break;
      case 'timeout':
        this.links[toxic.stream].add(toxic);
        if (toxic.attributes.timeout > 0) this.after(toxic, toxic.attributes.timeout, () => this.cut());
        break;
      case 'latency':
      case 'bandwidth':
      case 'slow_close':
      case 'slicer':
      case 'limit_data':
        this.links[toxic.stream].add(toxic);
    }
  }

  leave(toxic: ActiveToxic<TcpEffect>): void {
    clearTimeout(this.timers.get(toxic));
    this.timers.delete(toxic);
    this.links.upstream.remove(toxic);
    this.links.downstream.remove(toxic);
  }

  /** Closes both sides (FIN, or RST where unread bytes are left, as the kernel does). */
  cut(): void {
    this.client.destroy();
    this.upstream.destroy();
  }

  /** `downstream`: the client is reset and the upstream closed; `upstream`: the other way round. */
  private reset(stream: ToxicStream): void {
    const [resetSide, closeSide] =
      stream === 'downstream' ? [this.client, this.upstream] : [this.upstream, this.client];
    if (!resetSide.destroyed) resetSide.resetAndDestroy();
    closeSide.destroy();
  }

  private after(toxic: ActiveToxic<TcpEffect>, ms: number, act: () => void): void {
    if (ms === 0) {
      act();
      return;
    }
    this.timers.set(
      toxic,
      setTimeout(() => {
        this.timers.delete(toxic);
        act();
      }, ms),
    );
  }
}
