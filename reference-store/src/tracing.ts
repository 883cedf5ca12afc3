import { SpanStatusCode, trace, type Attributes } from '@opentelemetry/api';

/**
 * Spans through @opentelemetry/api only: without an SDK registered every call below is the API's
 * no-op, which costs next to nothing. `startTracing` registers the SDK when
 * OTEL_EXPORTER_OTLP_ENDPOINT is set, importing it lazily so the store does not load it otherwise.
 */
const tracer = trace.getTracer('shopsre-store');

export async function withSpan<T>(name: string, attributes: Attributes, fn: () => Promise<T>): Promise<T> {
  return tracer.startActiveSpan(name, { attributes }, async (span) => {
    try {
      return await fn();
    } catch (error) {
      span.recordException(error instanceof Error ? error : String(error));
      span.setStatus({ code: SpanStatusCode.ERROR });
      throw error;
    } finally {
      span.end();
    }
  });
}

/** Trace and span ids of the active span, for log lines; empty without an SDK. */
export function activeTraceIds(): { trace_id?: string; span_id?: string } {
  const context = trace.getActiveSpan()?.spanContext();
  if (!context || context.traceId === '00000000000000000000000000000000') return {};
  return { trace_id: context.traceId, span_id: context.spanId };
}

export interface Tracing {
  shutdown(): Promise<void>;
}

export async function startTracing(env: Readonly<Record<string, string | undefined>>): Promise<Tracing> {
  if (!env.OTEL_EXPORTER_OTLP_ENDPOINT) return { shutdown: () => Promise.resolve() };
  const [{ NodeTracerProvider, BatchSpanProcessor }, { OTLPTraceExporter }, { resourceFromAttributes }] =
    await Promise.all([
      import('@opentelemetry/sdk-trace-node'),
      import('@opentelemetry/exporter-trace-otlp-http'),
      import('@opentelemetry/resources'),
    ]);
  // From the env we were given rather than process.env, so a game day can point one store elsewhere.
  // The OTLP spec: the base endpoint gets /v1/traces; the traces endpoint is used as it is.
  const url =
    env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ??
    `${env.OTEL_EXPORTER_OTLP_ENDPOINT.replace(/\/$/, '')}/v1/traces`;
  const headers = Object.fromEntries(
    (env.OTEL_EXPORTER_OTLP_HEADERS ?? '')
      .split(',')
      .map((pair) => pair.split('=').map((part) => decodeURIComponent(part.trim())))
      .filter((pair): pair is [string, string] => pair.length === 2 && pair[0] !== ''),
  );
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': env.OTEL_SERVICE_NAME ?? 'shopsre-store' }),
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url, headers }))],
  });
  provider.register();
  return { shutdown: () => provider.shutdown() };
}
