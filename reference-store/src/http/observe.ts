import { SpanStatusCode, trace } from '@opentelemetry/api';
import type { MiddlewareHandler } from 'hono';
import { routePath } from 'hono/route';
import type { Logger } from '../../../src/core/logger.js';
import { statusClass, type StoreMetrics } from '../metrics.js';
import { activeTraceIds } from '../tracing.js';
import type { StoreEnv } from './env.js';

const tracer = trace.getTracer('shopsre-store');

/**
 * Counts, times and traces every request by route template (never the raw path, which would make a
 * series per product), method, status class and segment. Server errors are logged with trace ids;
 * nothing of the body is logged, so neither tokens nor anything card-like reach the logs.
 */
export function observeRequests(metrics: StoreMetrics, logger: Logger): MiddlewareHandler<StoreEnv> {
  return async (c, next) => {
    const started = performance.now();
    metrics.inFlight.inc();
    await tracer.startActiveSpan(`${c.req.method} request`, async (span) => {
      try {
        await next();
      } finally {
        const route = routeLabel(routePath(c, -1));
        const status = c.res.status;
        const labels = {
          route,
          method: c.req.method,
          status_class: statusClass(status),
          segment: c.get('segment') ?? 'guest',
        };
        const seconds = (performance.now() - started) / 1000;
        metrics.requests.inc(labels);
        metrics.requestDuration.observe(labels, seconds);
        metrics.inFlight.dec();
        span.updateName(`${c.req.method} ${route}`);
        span.setAttributes({
          'http.route': route,
          'http.response.status_code': status,
          'shop.segment': labels.segment,
        });
        if (status >= 500) {
          span.setStatus({ code: SpanStatusCode.ERROR });
          logger.warn('request failed', {
            method: c.req.method,
            route,
            status,
            segment: labels.segment,
            ms: Math.round(seconds * 1000),
            ...activeTraceIds(),
          });
        }
        span.end();
      }
    });
  };
}

function routeLabel(path: string): string {
  return path === '*' || path === '/*' || path === '' ? 'unmatched' : path;
}
