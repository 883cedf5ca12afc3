import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { TcpEffect } from './schema.js';
import type { ActiveToxic } from './toxic-set.js';

/** Bytes queued behind latency or bandwidth before the source is paused (TCP backpressure takes over). */
const highWaterBytes = 256 * 1024;
/** Bandwidth is spent in slices of 100 ms at the toxic's rate, as Toxiproxy does, so big chunks trickle. */
const sliceMs = 100;

interface Pending {
  readonly chunk: Buffer;
  /** performance.now() at which it may be written. */
  readonly dueAt: number;
}

/**
 * One direction of a proxied connection: bytes from `source` written to `dest`, straight through while
 * no toxic touches it, else through a queue where latency and bandwidth set when each chunk may go.
 * Order is kept (a chunk never overtakes the one before it, whatever its jitter). A `timeout` toxic
 * holds the direction: nothing is read or written and the end is not passed on until it leaves, so the
 * bytes wait in socket buffers, as they do in a network partition that later heals.
 */
export class TcpLink {
  private readonly toxics: ActiveToxic<TcpEffect>[] = [];
  private holds = 0;
  private queue: Pending[] = [];
  private head = 0;
  private queuedBytes = 0;
  private lastDueAt = 0;
  private destBlocked = false;
  private sourceEnded = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly source: Socket,
    private readonly dest: Socket,
    private readonly random: () => number,
  ) {
    source.on('data', (chunk: Buffer) => {
      if (this.toxics.length === 0 && this.queue.length === 0) {
        if (!dest.write(chunk)) this.block();
      } else {
        this.enqueue(chunk);
        this.pump();
      }
    });
    source.on('end', () => {
      this.sourceEnded = true;
      this.pump();
    });
    dest.on('drain', () => {
      this.destBlocked = false;
      this.pump();
    });
  }

  add(toxic: ActiveToxic<TcpEffect>): void {
    this.toxics.push(toxic);
    if (toxic.type === 'timeout') this.holds++;
    this.updateFlow();
  }

  remove(toxic: ActiveToxic<TcpEffect>): void {
    const index = this.toxics.indexOf(toxic);
    if (index === -1) return;
    this.toxics.splice(index, 1);
    if (toxic.type === 'timeout') this.holds--;
    this.pump();
  }

  close(): void {
    clearTimeout(this.timer);
    this.queue = [];
    this.head = 0;
  }

  private block(): void {
    this.destBlocked = true;
    this.source.pause();
  }

  private enqueue(chunk: Buffer): void {
    let delayMs = 0;
    let bytesPerMs = Infinity; // a rate in KB/s (of 1,000 bytes) is that many bytes per ms
    for (const toxic of this.toxics) {
      if (toxic.type === 'latency') {
        const { latency, jitter } = toxic.attributes;
        delayMs += Math.max(0, latency + jitter * (2 * this.random() - 1));
      } else if (toxic.type === 'bandwidth') {
        bytesPerMs = Math.min(bytesPerMs, toxic.attributes.rate);
      }
    }
    let dueAt = Math.max(performance.now() + delayMs, this.lastDueAt);
    const slice = bytesPerMs === Infinity ? chunk.length : Math.max(1, Math.floor(bytesPerMs * sliceMs));
    for (let offset = 0; offset < chunk.length; offset += slice) {
      const piece = chunk.subarray(offset, offset + slice);
      if (bytesPerMs !== Infinity) dueAt += piece.length / bytesPerMs;
      this.queue.push({ chunk: piece, dueAt });
    }
    this.queuedBytes += chunk.length;
    this.lastDueAt = dueAt;
  }

  private pump(): void {
    while (this.holds === 0 && !this.destBlocked && this.head < this.queue.length) {
      const next = this.queue[this.head];
      if (!next) break;
      const waitMs = next.dueAt - performance.now();
      if (waitMs > 0) {
        this.timer ??= setTimeout(() => {
          this.timer = undefined;
          this.pump();
        }, waitMs);
        break;
      }
      this.head++;
      this.queuedBytes -= next.chunk.length;
      if (!this.dest.write(next.chunk)) this.destBlocked = true;
    }
    if (this.head === this.queue.length) {
      this.queue = [];
      this.head = 0;
      if (this.sourceEnded && this.holds === 0 && !this.dest.writableEnded) this.dest.end();
    }
    this.updateFlow();
  }

  private updateFlow(): void {
    const flowing = this.holds === 0 && !this.destBlocked && this.queuedBytes < highWaterBytes;
    if (flowing && this.source.isPaused()) this.source.resume();
    else if (!flowing && !this.source.isPaused()) this.source.pause();
  }
}
