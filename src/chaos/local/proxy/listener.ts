import type { Server } from 'node:net';
import { closeServer, formatEndpoint, listenOn, type Endpoint } from './address.js';

/**
 * The listening side of a proxy. Disabling closes it and ends every connection, as Toxiproxy does;
 * enabling listens again on the address bound the first time, so clients keep their configured port.
 */
export class ProxyListener {
  private address: Endpoint;
  private listening = false;
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly server: Server,
    requested: Endpoint,
    private readonly endConnections: () => void,
  ) {
    this.address = requested;
  }

  get endpoint(): string {
    return formatEndpoint(this.address);
  }

  get enabled(): boolean {
    return this.listening;
  }

  /** Serialised, so two quick toggles cannot listen twice. */
  setEnabled(enabled: boolean): Promise<void> {
    const next = this.queue.then(() => (enabled ? this.start() : this.stop()));
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** Listens on `next` from now on: at once when enabled (open connections end), else when enabled. */
  moveTo(next: Endpoint): Promise<void> {
    const moved = this.queue.then(async () => {
      const wasListening = this.listening;
      await this.stop();
      const previous = this.address;
      this.address = next;
      if (!wasListening) return;
      try {
        await this.start();
      } catch (error) {
        this.address = previous;
        await this.start().catch(() => undefined);
        throw error;
      }
    });
    this.queue = moved.catch(() => undefined);
    return moved;
  }

  private async start(): Promise<void> {
    if (this.listening) return;
    this.address = await listenOn(this.server, this.address);
    this.listening = true;
  }

  private async stop(): Promise<void> {
    if (!this.listening) return;
    this.listening = false;
    const closed = closeServer(this.server);
    this.endConnections();
    await closed;
  }
}
