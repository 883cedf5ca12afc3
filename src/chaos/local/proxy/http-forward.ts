import type { IncomingHttpHeaders, IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { Pool, type Dispatcher } from 'undici';
import { formatEndpoint, type Endpoint } from './address.js';

/**
 * Connection-specific fields (RFC 9110 §7.6.1) are not forwarded, nor `expect` (node answers
 * 100-continue itself). Everything else passes untouched: `Host` as the client sent it (a fault proxy
 * is transparent, so a virtual-hosted upstream still sees the name the client used; undici sends the
 * upstream's address only when the client sent none), `Authorization` and `Idempotency-Key` included.
 */
const hopByHop = [
  'connection',
  'keep-alive',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
];
const notForwarded = new Set([...hopByHop, 'proxy-authorization', 'expect']);
const notReturned = new Set([...hopByHop, 'proxy-authenticate']);

/** A keep-alive undici pool to the upstream, streaming both bodies. */
export class Forwarder {
  private pool: Pool;

  constructor(upstream: Endpoint) {
    this.pool = openPool(upstream);
  }

  /** New requests go to `upstream`; those in flight finish on the old pool. */
  retarget(upstream: Endpoint): void {
    const previous = this.pool;
    this.pool = openPool(upstream);
    void previous.close();
  }

  /** With `cutAfterBytes`, the client gets the head and that much of the body, then its connection closes. */
  forward(request: IncomingMessage, response: ServerResponse, cutAfterBytes?: number): void {
    this.pool.dispatch(
      {
        path: request.url ?? '/',
        method: request.method ?? 'GET',
        headers: requestHeaders(request),
        body: hasBody(request) ? request : null,
      },
      new Exchange(response, cutAfterBytes),
    );
  }

  close(): Promise<void> {
    return this.pool.destroy();
  }
}

function openPool(upstream: Endpoint): Pool {
  return new Pool(`http://${formatEndpoint(upstream)}`, { pipelining: 1 });
}

/**
 * One forwarded request, as an undici dispatch handler writing straight into the client's response
 * (the leanest of undici's APIs: no promise, no async resource, no intermediate stream). A client
 * that goes away aborts the upstream request.
 */
class Exchange implements Dispatcher.DispatchHandler {
  private controller: Dispatcher.DispatchController | undefined;
  private left: number;

  constructor(
    private readonly response: ServerResponse,
    private readonly cutAfterBytes: number | undefined,
  ) {
    this.left = cutAfterBytes ?? Infinity;
    response.once('close', () => {
      if (!response.writableFinished) this.controller?.abort(new Error('the client went away'));
    });
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    if (this.response.destroyed) controller.abort(new Error('the client went away'));
  }

  onResponseStart(
    controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: IncomingHttpHeaders,
  ): void {
    if (statusCode < 200) return; // informational (103 Early Hints): the final answer follows
    this.response.writeHead(statusCode, responseHeaders(headers));
    if (this.cutAfterBytes === undefined) return;
    this.response.flushHeaders();
    if (this.left === 0) this.cut(controller);
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    const { response } = this;
    if (this.left !== Infinity) {
      const sent = chunk.subarray(0, this.left);
      this.left -= sent.length;
      if (sent.length > 0) response.write(sent);
      if (this.left === 0) this.cut(controller);
      return;
    }
    if (!response.write(chunk)) {
      controller.pause();
      response.once('drain', () => controller.resume());
    }
  }

  onResponseEnd(controller: Dispatcher.DispatchController): void {
    if (this.cutAfterBytes === undefined) this.response.end();
    else this.cut(controller);
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    const { response } = this;
    if (response.headersSent || response.destroyed) {
      response.destroy();
      return;
    }
    const body = JSON.stringify({ error: `fault proxy: upstream failed: ${error.message}` });
    response.writeHead(502, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(body),
    });
    response.end(body);
  }

  /** destroySoon: the bytes already written still go out, then the FIN. */
  private cut(controller: Dispatcher.DispatchController): void {
    this.response.socket?.destroySoon();
    controller.abort(new Error('reset_after toxic'));
  }
}

function requestHeaders(request: IncomingMessage): string[] {
  const raw = request.rawHeaders;
  const extra = namedByConnection(request.headers.connection);
  const headers: string[] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i] as string;
    const lower = name.toLowerCase();
    if (!notForwarded.has(lower) && !extra.includes(lower)) headers.push(name, raw[i + 1] as string);
  }
  return headers;
}

function responseHeaders(headers: IncomingHttpHeaders): OutgoingHttpHeaders {
  const extra = namedByConnection(headers.connection);
  const kept: OutgoingHttpHeaders = {};
  for (const name in headers) {
    if (!notReturned.has(name) && !extra.includes(name)) kept[name] = headers[name];
  }
  return kept;
}

/** Fields a Connection header names as hop-by-hop besides its usual `keep-alive` or `close`. */
function namedByConnection(connection: string | string[] | undefined): readonly string[] {
  if (typeof connection !== 'string') return [];
  const value = connection.toLowerCase();
  if (value === 'keep-alive' || value === 'close') return [];
  return value.split(',').map((token) => token.trim());
}

function hasBody(request: IncomingMessage): boolean {
  const length = request.headers['content-length'];
  return request.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}
