import { createContext, runInContext } from 'node:vm';
import type { FakeStore } from '../journey/fake-store.js';

/** A sample a custom metric received. */
export interface MetricSample {
  readonly value: number | boolean;
  readonly tags: Readonly<Record<string, string>>;
}

/** A request as the script handed it to `http.request`. */
export interface K6Request {
  readonly method: string;
  readonly url: string;
  readonly params: {
    readonly headers: Record<string, string>;
    readonly tags: Record<string, string>;
    readonly timeout: string;
    readonly redirects: number;
    readonly responseType: string;
  };
}

export interface K6Sandbox {
  /** `export const options`, as plain data. */
  readonly options: unknown;
  readonly requests: K6Request[];
  readonly checks: { name: string; passed: boolean; tags: Record<string, string> }[];
  /** Samples per custom metric name, and the metric's class. */
  readonly metrics: Map<string, { type: 'Rate' | 'Trend'; samples: MetricSample[] }>;
  /** Runs the default function as k6 runs iteration `iterationInTest` of the scenario. */
  iterate(iterationInTest: number): void;
}

/**
 * Runs a generated script in a node:vm context with k6's modules replaced by fakes: `http.request`
 * answers synchronously (as k6's does) from the fake store, `check` and the custom metrics record
 * what they get. There is no k6 binary on this machine; this checks the script's behaviour, and
 * type-check.test.ts its use of the k6 API.
 */
export function loadK6Script(script: string, store: FakeStore, startTime: number): K6Sandbox {
  const imports = /^import .* from '(k6|k6\/execution|k6\/http|k6\/metrics)';\n/gm;
  const body = script
    .replace(imports, '')
    .replace('export const options =', 'const options =')
    .replace('export default function ()', 'function iteration()');
  if (/^(import|export) /m.test(body))
    throw new Error('the script has imports or exports the sandbox does not know');

  const requests: K6Request[] = [];
  const checks: K6Sandbox['checks'] = [];
  const metrics: K6Sandbox['metrics'] = new Map();
  const scenario = { iterationInTest: 0, startTime };
  const metric = (type: 'Rate' | 'Trend') =>
    class {
      private readonly samples: MetricSample[] = [];
      constructor(name: string) {
        if (metrics.has(name)) throw new Error(`metric ${name} declared twice`);
        metrics.set(name, { type, samples: this.samples });
      }
      add(value: number | boolean, tags: Record<string, string>) {
        this.samples.push({ value, tags: { ...tags } });
      }
    };
  const http = {
    request(method: string, url: string, requestBody: string | null, params: K6Request['params']) {
      requests.push({ method, url, params: JSON.parse(JSON.stringify(params)) as K6Request['params'] });
      const { pathname, search } = new URL(url);
      const headers = Object.fromEntries(
        Object.entries(params.headers).map(([k, v]) => [k.toLowerCase(), v]),
      );
      const answer = store.handle(method, `${pathname}${search}`, headers, requestBody ?? '');
      return {
        status: answer.status,
        timings: { duration: 12.5 },
        json: () => JSON.parse(answer.body) as unknown,
      };
    },
    setResponseCallback() {},
    expectedStatuses: () => ({}),
  };
  const check = (
    value: unknown,
    sets: Record<string, (v: unknown) => boolean>,
    tags: Record<string, string>,
  ) => {
    let all = true;
    for (const [name, fn] of Object.entries(sets)) {
      const passed = fn(value);
      checks.push({ name, passed, tags: { ...tags } });
      all &&= passed;
    }
    return all;
  };
  const context = createContext({
    http,
    check,
    exec: { scenario },
    Rate: metric('Rate'),
    Trend: metric('Trend'),
  });
  const exported = runInContext(`${body}\n({ options, iteration })`, context) as {
    options: unknown;
    iteration: () => void;
  };
  return {
    options: JSON.parse(JSON.stringify(exported.options)) as unknown,
    requests,
    checks,
    metrics,
    iterate(iterationInTest) {
      scenario.iterationInTest = iterationInTest;
      exported.iteration();
    },
  };
}
