import { Pool } from 'undici';

/** The origin's answer as the edge keeps it: status, the headers worth forwarding, the whole body. */
export type OriginAnswer =
  | {
      readonly kind: 'answered';
      readonly status: number;
      readonly headers: Readonly<Record<string, string>>;
      readonly body: Uint8Array<ArrayBuffer>;
    }
  | { readonly kind: 'failed'; readonly error: 'timeout' | 'connection' };

export interface OriginClient {
  get(path: string, ifNoneMatch: string | undefined): Promise<OriginAnswer>;
  close(): Promise<void>;
}

const forwardedHeaders = ['content-type', 'etag', 'cache-control', 'last-modified'] as const;

/**
 * One keep-alive undici pool to the origin at `baseUrl` (a path in it becomes a prefix, so a fault
 * proxy can be mounted anywhere). The deadline covers headers and body together; it is our own
 * timer because undici's headersTimeout and bodyTimeout are checked only every half second.
 */
export function createOriginClient(baseUrl: string, timeoutMs: number): OriginClient {
  const base = new URL(baseUrl);
  const prefix = base.pathname.replace(/\/+$/, '');
  const pool = new Pool(base.origin, { pipelining: 1 });
  return {
    async get(path, ifNoneMatch) {
      const deadline = new AbortController();
      const timer = setTimeout(() => deadline.abort(), timeoutMs);
      try {
        const answer = await pool.request({
          path: prefix + path,
          method: 'GET',
          headers: ifNoneMatch === undefined ? {} : { 'if-none-match': ifNoneMatch },
          signal: deadline.signal,
        });
        const body = new Uint8Array(await answer.body.arrayBuffer());
        const headers: Record<string, string> = {};
        for (const name of forwardedHeaders) {
          const value = answer.headers[name];
          if (typeof value === 'string') headers[name] = value;
        }
        return { kind: 'answered', status: answer.statusCode, headers, body };
      } catch {
        return { kind: 'failed', error: deadline.signal.aborted ? 'timeout' : 'connection' };
      } finally {
        clearTimeout(timer);
      }
    },
    close: () => pool.close(),
  };
}
