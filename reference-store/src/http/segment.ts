import type { MiddlewareHandler } from 'hono';
import type { StoreEnv } from './env.js';
import { Problem } from './problem.js';

export const segmentHeader = 'x-customer-segment';
export const customerHeader = 'x-customer-id';
export const sessionHeader = 'x-session-id';

const idPattern = /^[A-Za-z0-9_.:-]{1,64}$/;

/**
 * The customer segment of every request: the segment header when given (and valid), else the
 * segment of the customer in `x-customer-id`, else the default (guest). The cart belongs to the
 * customer when one is named, else to the session.
 */
export function segmentMiddleware(
  segments: readonly string[],
  customerSegment: (customerId: string) => string | undefined,
): MiddlewareHandler<StoreEnv> {
  const known = new Set(segments);
  const fallback = segments[0] ?? 'guest';
  return async (c, next) => {
    const header = c.req.header(segmentHeader);
    const customerId = readId(c.req.header(customerHeader), customerHeader);
    const sessionId = readId(c.req.header(sessionHeader), sessionHeader);
    if (header !== undefined && !known.has(header)) {
      // Labelled with the fallback so a flood of bad headers cannot create new metric series.
      c.set('segment', fallback);
      throw new Problem(400, 'invalid-segment', `${segmentHeader} must be one of ${segments.join(', ')}`);
    }
    c.set('segment', header ?? (customerId ? customerSegment(customerId) : undefined) ?? fallback);
    c.set('cartKey', customerId ? `customer:${customerId}` : sessionId ? `session:${sessionId}` : undefined);
    await next();
  };
}

function readId(value: string | undefined, header: string): string | undefined {
  if (value === undefined) return undefined;
  if (!idPattern.test(value)) {
    throw new Problem(400, 'invalid-header', `${header} must be 1 to 64 letters, digits or _.:-`);
  }
  return value;
}
