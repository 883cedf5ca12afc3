import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { UsageError } from '../../../src/core/errors.js';
import { isLoopbackHost } from '../../../src/core/loopback.js';
import type { StoreEnv } from './env.js';
import { Problem } from './problem.js';

/** Where `store serve` and `store verify` take the token from; the flag is seen by anyone running `ps`. */
export const adminTokenVariable = 'SHOPSRE_ADMIN_TOKEN';

/**
 * The token `store serve` requires and `store verify` sends: `--admin-token`, else SHOPSRE_ADMIN_TOKEN
 * (empty counts as unset). It travels in an HTTP header, so it is one printable word.
 */
export function adminTokenOption(
  flag: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
): string | undefined {
  const fromEnv = env[adminTokenVariable];
  const token = flag ?? (fromEnv === '' ? undefined : fromEnv);
  if (token !== undefined && !/^[\x21-\x7e]{16,256}$/.test(token)) {
    const source = flag === undefined ? adminTokenVariable : '--admin-token';
    throw new UsageError(`${source} must be 16 to 256 printable ASCII characters, without spaces`);
  }
  return token;
}

/** The bearer token `/admin/*` requires, and whether the store made it up (then it is shown once). */
export interface AdminToken {
  readonly value: string;
  readonly generated: boolean;
}

/**
 * The admin policy: a token given is always required; without one, a store bound beyond loopback
 * (0.0.0.0 in a container, a shared lab machine) makes one up, and one on loopback needs none.
 */
export function adminTokenFor(
  host: string,
  given: string | undefined,
  random: () => string = () => randomBytes(24).toString('base64url'),
): AdminToken | undefined {
  if (given !== undefined && given !== '') return { value: given, generated: false };
  if (isLoopbackHost(host)) return undefined;
  return { value: `sat_${random()}`, generated: true };
}

/**
 * `Authorization: Bearer <token>` or 401. Compared in constant time over SHA-256 digests, so neither
 * the bytes nor the length of the token leak through response times.
 */
export function requireAdminToken(token: string): MiddlewareHandler<StoreEnv> {
  const expected = digest(token);
  return async (c, next) => {
    const presented = /^Bearer +(\S+) *$/i.exec(c.req.header('authorization') ?? '')?.[1];
    if (presented === undefined || !timingSafeEqual(digest(presented), expected)) {
      throw new Problem(
        401,
        'admin-token-required',
        `send the store's admin token as Authorization: Bearer <token> (${adminTokenVariable} for store verify)`,
        {},
        { 'www-authenticate': 'Bearer realm="shopsre-admin"' },
      );
    }
    await next();
  };
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}
