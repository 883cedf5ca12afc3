import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { finished } from 'node:stream';
import type { TcpEffect } from './schema.js';
import type { ActiveToxic } from './toxic-set.js';

/** Bytes queued behind latency or bandwidth before the source is paused (TCP backpressure takes over). */
const highWaterBytes = 256 * 1024;
/** Bandwidth is spent in slices of 100 ms at the toxic's rate, as Toxiproxy does, so big chunks trickle. */
const sliceMs = 100;

type TcpToxic = ActiveToxic<TcpEffect>;

interface Pending {
  readonly chunk: Buffer;
  /** performance.now() at which it may be written. */
  readonly dueAt: number;
}

/**
 * One direction of a proxied connection: bytes from `source` written to `dest`, straight through while
 * no toxic touches it, else through a queue where latency, bandwidth and slicer set when each piece may
 * go. Order is kept (a piece never overtakes the one before it, whatever its jitter). A `timeout` toxic
 * holds the direction: nothing is read or written and the end is not passed on until it leaves, so the
 * bytes wait in socket buffers, as they do in a network partition that later heals. `limit_data` lets
 * its bytes through and then ends the connection; `slow_close` holds the end for its delay.
 */
export class TcpLink {
  private readonly toxics: TcpToxic[] = [];
  /** Bytes each `limit_data` toxic (by name, so an update keeps the count) let through on this link. */
  private readonly sent = new Map<string, number>();
  private holds = 0;
  private queue: Pending[] = [];
  private head = 0;
  private queuedBytes = 0;
  private lastDueAt = 0;
  private destBlocked = false;
  /** performance.now() when the source ended, closed or hit a data limit. */
  private endedAt: number | undefined;
  private limitReached = false;
  /** Called once `dest` has been ended after the source finished or the data limit was reached. */
  private pendingDone: (() => void) | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly source: Socket,
    private readonly dest: Socket,
    private readonly random: () => number,
    /** The link hit a `limit_data` toxic and passed its bytes on: the connection should end. */
    private readonly onLimit: () => void,
  ) {
    source.on('data', (chunk: Buffer) => {
      if (this.limitReached || dest.destroyed) return;
      if (this.toxics.length === 0 && this.queue.length === 0) {
        if (!dest.write(chunk)) this.block();
      } else {
        this.enqueue(chunk);
        this.pump();
      }
    });
    source.on('end', () => {
      this.endedAt ??= performance.now();
      this.pump();
    });
    dest.on('drain', () => {
      this.destBlocked = false;
      this.pump();
    });
  }

  add(toxic: TcpToxic): void {
    this.toxics.push(toxic);
    if (toxic.type === 'timeout') this.holds++;
    if (toxic.type === 'limit_data' && !this.sent.has(toxic.name)) this.sent.set(toxic.name, 0);
    this.updateFlow();
  }

  remove(toxic: TcpToxic): void {
    const index = this.toxics.indexOf(toxic);
    if (index === -1) return;
    this.toxics.splice(index, 1);
    if (toxic.type === 'timeout') this.holds--;
    if (!this.toxics.some((other) => other.name === toxic.name)) this.sent.delete(toxic.name);
    this.pump();
  }

  /**
   * The source is gone: what is queued still goes out (after its delays and any `slow_close`), then
   * `dest` is ended and `done` called.
   */
  finish(done: () => void): void {
    this.endedAt ??= performance.now();
    this.pendingDone ??= done;
    this.pump();
  }

  close(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.queue = [];
    this.head = 0;
  }

  private block(): void {
    this.destBlocked = true;
    this.source.pause();
  }

  private enqueue(input: Buffer): void {
    let delayMs = 0;
    let bytesPerMs = Infinity; // a rate in KB/s (of 1,000 bytes) is that many bytes per ms
    let slicer: Extract<TcpToxic, { type: 'slicer' }>['attributes'] | undefined;
    let chunk = input;
    for (const toxic of this.toxics) {
      if (toxic.type === 'latency') {
        const { latency, jitter } = toxic.attributes;
        delayMs += Math.max(0, latency + jitter * (2 * this.random() - 1));
      } else if (toxic.type === 'bandwidth' && toxic.attributes.rate > 0) {
        bytesPerMs = Math.min(bytesPerMs, toxic.attributes.rate);
      } else if (toxic.type === 'slicer') {
        slicer ??= toxic.attributes;
      } else if (toxic.type === 'limit_data') {
        const sent = this.sent.get(toxic.name) ?? 0;
        chunk = chunk.subarray(0, Math.max(0, toxic.attributes.bytes - sent));
      }
    }
    for (const toxic of this.toxics) {
      if (toxic.type !== 'limit_data') continue;
      const sent = (this.sent.get(toxic.name) ?? 0) + chunk.length;
      this.sent.set(toxic.name, sent);
      if (sent >= toxic.attributes.bytes && !this.limitReached) {
        this.limitReached = true;
        this.endedAt ??= performance.now();
        this.pendingDone ??= this.onLimit;
      }
    }
    let dueAt = Math.max(performance.now() + delayMs, this.lastDueAt);
    const bandwidthSlice = bytesPerMs === Infinity ? Infinity : Math.max(1, Math.floor(bytesPerMs * sliceMs));
    for (const piece of slicer ? this.slices(chunk, slicer.average_size, slicer.size_variation) : [chunk]) {
      for (let offset = 0; offset < piece.length; offset += bandwidthSlice) {
        const part = piece.subarray(offset, offset + bandwidthSlice);
        if (bytesPerMs !== Infinity) dueAt += part.length / bytesPerMs;
        this.queue.push({ chunk: part, dueAt });
      }
      if (slicer) dueAt += slicer.delay / 1000;
    }
    this.queuedBytes += chunk.length;
    this.lastDueAt = dueAt;
  }

  /** Pieces of `average ± variation` bytes (at least 1), the last one what is left. */
  private slices(chunk: Buffer, average: number, variation: number): Buffer[] {
    const pieces: Buffer[] = [];
    let offset = 0;
    while (offset < chunk.length) {
      const size = Math.max(1, Math.round(average + variation * (2 * this.random() - 1)));
      pieces.push(chunk.subarray(offset, offset + size));
      offset += size;
    }
    return pieces;
  }

  private pump(): void {
    while (this.holds === 0 && !this.destBlocked && this.head < this.queue.length) {
      const next = this.queue[this.head];
      if (!next) break;
      if (this.waitUntil(next.dueAt)) return;
      this.head++;
      this.queuedBytes -= next.chunk.length;
      if (this.dest.destroyed) continue;
      if (!this.dest.write(next.chunk)) this.destBlocked = true;
    }
    if (this.head === this.queue.length) {
      this.queue = [];
      this.head = 0;
      if (
        this.endedAt !== undefined &&
        this.holds === 0 &&
        !this.waitUntil(this.endedAt + this.slowCloseMs())
      ) {
        this.passEnd();
      }
    }
    this.updateFlow();
  }

  /** True (and a timer set to pump again) while `dueAt` is in the future. */
  private waitUntil(dueAt: number): boolean {
    const waitMs = dueAt - performance.now();
    if (waitMs <= 0) return false;
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      this.pump();
    }, waitMs);
    return true;
  }

  private slowCloseMs(): number {
    let delay = 0;
    for (const toxic of this.toxics)
      if (toxic.type === 'slow_close') delay = Math.max(delay, toxic.attributes.delay);
    return delay;
  }

  /** Ends `dest` (once) and calls the pending callback once what was written is flushed. */
  private passEnd(): void {
    const done = this.pendingDone;
    this.pendingDone = undefined;
    if (!this.dest.writableEnded && !this.dest.destroyed) this.dest.end();
    if (!done) return;
    if (this.dest.destroyed || this.dest.writableFinished) done();
    else finished(this.dest, { readable: false }, () => done());
  }

  private updateFlow(): void {
    const flowing =
      !this.limitReached && this.holds === 0 && !this.destBlocked && this.queuedBytes < highWaterBytes;
    if (flowing && this.source.isPaused()) this.source.resume();
    else if (!flowing && !this.source.isPaused()) this.source.pause();
  }
}
