import { formatDuration } from '../../core/duration.js';
import { UsageError } from '../../core/errors.js';
import { isLoopbackOrNamed, normalizeHost } from '../../core/loopback.js';

/**
 * The configuration of the Prometheus a game day starts: one scrape job for the store's metrics
 * and the generated (time-scaled) rule files, evaluated every `evaluationIntervalMs`.
 */
export interface PrometheusConfigOptions {
  /** The store's metrics URL; loopback (`127.0.0.0/8`, `localhost`, `[::1]`) or a host in `allowHosts`. */
  readonly metricsUrl: string;
  /** Hosts beyond loopback the operator named (`--allow-target`). */
  readonly allowHosts?: readonly string[];
  readonly scrapeIntervalMs: number;
  readonly evaluationIntervalMs: number;
  /** Absolute paths of rule files. */
  readonly ruleFiles: readonly string[];
}

export const scrapeJobName = 'shopsre-gameday';

/** JSON is YAML, and JSON.stringify quotes paths and URLs correctly whatever they hold. */
export function prometheusConfig(options: PrometheusConfigOptions): string {
  const target = scrapeTarget(options.metricsUrl, options.allowHosts ?? []);
  const scrapeInterval = formatDuration(options.scrapeIntervalMs);
  const config = {
    global: {
      scrape_interval: scrapeInterval,
      // Prometheus refuses a timeout longer than the interval, and its default is 10s.
      scrape_timeout: scrapeInterval,
      evaluation_interval: formatDuration(options.evaluationIntervalMs),
    },
    rule_files: options.ruleFiles,
    scrape_configs: [
      {
        job_name: scrapeJobName,
        scheme: target.scheme,
        metrics_path: target.path,
        ...(Object.keys(target.params).length > 0 ? { params: target.params } : {}),
        static_configs: [{ targets: [target.hostPort] }],
      },
    ],
  };
  return `${JSON.stringify(config, null, 2)}\n`;
}

interface ScrapeTarget {
  readonly scheme: 'http' | 'https';
  readonly hostPort: string;
  readonly path: string;
  /** Query parameters go to `params`: Prometheus escapes a `?` written into `metrics_path`. */
  readonly params: Readonly<Record<string, string[]>>;
}

function scrapeTarget(metricsUrl: string, allowHosts: readonly string[]): ScrapeTarget {
  let url: URL;
  try {
    url = new URL(metricsUrl);
  } catch {
    throw new UsageError(`metrics URL "${metricsUrl}" is not a URL`);
  }
  const scheme = url.protocol.replace(/:$/, '');
  if (scheme !== 'http' && scheme !== 'https') {
    throw new UsageError(`metrics URL "${metricsUrl}" must be http or https`);
  }
  // DESIGN.md: game days touch only loopback unless a target is explicitly allowed.
  if (!isLoopbackOrNamed(url.hostname, allowHosts)) {
    throw new UsageError(
      `metrics URL "${metricsUrl}" is not on loopback (127.0.0.0/8, localhost or [::1]); if the host is yours, add --allow-target ${normalizeHost(url.hostname)}`,
    );
  }
  const port = url.port || (scheme === 'https' ? '443' : '80');
  const params: Record<string, string[]> = {};
  for (const [key, value] of url.searchParams) params[key] = [...(params[key] ?? []), value];
  return { scheme, hostPort: `${url.hostname}:${port}`, path: url.pathname, params };
}
