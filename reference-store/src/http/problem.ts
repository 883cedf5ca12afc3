/**
 * Errors that know their response (RFC 9457 problem details), like hono's HTTPException: a route
 * throws one and the app's error handler answers it. Anything else is a 500, logged.
 */
export class Problem extends Error {
  constructor(
    readonly status: number,
    /** Stable, short, kebab-case; becomes the `type` URI and what clients match on. */
    readonly code: string,
    readonly detail: string,
    readonly extra: Readonly<Record<string, unknown>> = {},
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(detail);
    this.name = 'Problem';
  }

  body(): Record<string, unknown> {
    // Extensions first, so none can overwrite a member RFC 9457 defines.
    return {
      ...this.extra,
      type: `https://shopsre.dev/problems/${this.code}`,
      title: titles[this.status] ?? 'Error',
      status: this.status,
      detail: this.detail,
    };
  }
}

const titles: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  402: 'Payment Required',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

export function problemResponse(problem: Problem): Response {
  return new Response(JSON.stringify(problem.body()), {
    status: problem.status,
    headers: { 'content-type': 'application/problem+json', ...problem.headers },
  });
}

/** The database or a dependency is away for now: the client should come back, not wait. */
export function unavailable(detail: string, retryAfterSeconds = 2): Problem {
  return new Problem(503, 'unavailable', detail, {}, { 'retry-after': String(retryAfterSeconds) });
}
