// Which charting library draws the game day's SVG charts: ECharts' server-side SVG renderer
// (`echarts`, `ssr: true`, `renderToSVGString`) or Vega-Lite compiled to Vega and rendered with
// `view.toSVG()`. Both draw the same two charts from the same synthetic journal-sized data: 300
// per-second points × 3 segments × 2 views (error ratio and p95, fault windows shaded), and burn
// rates of 4 windows × 3 segments with two threshold lines and pending/firing bands.
//
// Each measurement runs in a fresh child process, so "cold" really is cold: import of the library
// plus the first render of both charts. A second render in the same process gives the warm figure.
// Libraries alternate round by round and the median counts, so a burst from a neighbour on this
// shared machine hits both alike. Ratios are printed against ECharts, measured in the same run.
//
// ECharts is the dependency the report uses; Vega is not one: install it outside the repository first
//   npm install --prefix /tmp/chartbench vega@5.33.1 vega-lite@5.23.0
// (vega-lite 6 declares Node >= 22, so the 5.x line is the one that could run where shopsre runs),
// or point CHARTBENCH_PREFIX at another prefix. Run with `node bench/charts.mjs`.
import { Buffer } from 'node:buffer';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const self = new URL(import.meta.url).pathname;
const root = new URL('..', import.meta.url).pathname;
const vegaPrefix = process.env.CHARTBENCH_PREFIX ?? '/tmp/chartbench';
const rounds = Math.max(3, Number(process.env.BENCH_CHART_ROUNDS ?? 7));

// ---------------------------------------------------------------------------------------------
// The data: deterministic, shaped like a journal's series (no RNG: a fixed formula).

const points = 300;
const segments = ['guest', 'member', 'vip'];
const views = ['customers', 'servers'];
const t0 = Date.UTC(2025, 0, 15, 10, 0, 0);
const t = Array.from({ length: points }, (_, i) => t0 + i * 1000);
const faults = [[t0 + 90_000, t0 + 180_000]];
const inFault = (ms) => faults.some(([a, b]) => ms >= a && ms < b);
function wave(i, k) {
  return (Math.sin(i / 7 + k) + 1) / 2;
}
const errorRatio = (s, v, i) => (inFault(t[i]) ? 0.2 + 0.1 * wave(i, s + v) : 0.002 * wave(i, s * 3 + v));
const p95 = (s, v, i) => 120 + 40 * wave(i, s + v * 2) + (inFault(t[i]) ? 800 : 0);
const windows = [
  { tier: 'page', window: '1h', threshold: 14.4 },
  { tier: 'page', window: '5m', threshold: 14.4 },
  { tier: 'ticket', window: '6h', threshold: 6 },
  { tier: 'ticket', window: '30m', threshold: 6 },
];
const burn = (w, s, i) => {
  const lag = [60, 5, 360, 30][w];
  const on = faults.reduce((sum, [a, b]) => sum + Math.max(0, Math.min(t[i], b) - a), 0) / 1000;
  return Math.min(100, (on / lag) * 100) + 0.2 * wave(i, s + w);
};
const bands = [
  { state: 'pending', from: t0 + 100_000, to: t0 + 104_000 },
  { state: 'firing', from: t0 + 104_000, to: t0 + 200_000 },
];

// ---------------------------------------------------------------------------------------------
// ECharts: one `init(null, null, { renderer: 'svg', ssr: true })` per chart.

function echartsOptions() {
  const shade = faults.map(([a, b]) => [{ xAxis: a }, { xAxis: b }]);
  const lineSeries = [];
  segments.forEach((segment, s) =>
    views.forEach((view, v) =>
      [0, 1].forEach((panel) =>
        lineSeries.push({
          type: 'line',
          name: `${segment} ${view}`,
          xAxisIndex: panel,
          yAxisIndex: panel,
          showSymbol: false,
          lineStyle: { type: v === 0 ? 'solid' : 'dashed' },
          data: t.map((ms, i) => [ms, panel === 0 ? errorRatio(s, v, i) : p95(s, v, i)]),
          ...(s === 0 && v === 0 ? { markArea: { silent: true, data: shade } } : {}),
        }),
      ),
    ),
  );
  const errors = {
    animation: false,
    legend: { top: 0 },
    grid: [
      { top: 40, height: 160, left: 60, right: 20 },
      { top: 240, height: 160, left: 60, right: 20 },
    ],
    xAxis: [
      { type: 'time', gridIndex: 0 },
      { type: 'time', gridIndex: 1 },
    ],
    yAxis: [
      { type: 'value', gridIndex: 0, name: 'error ratio' },
      { type: 'value', gridIndex: 1, name: 'p95 ms' },
    ],
    series: lineSeries,
  };
  const burnSeries = [];
  windows.forEach((w, wi) =>
    segments.forEach((segment, s) =>
      burnSeries.push({
        type: 'line',
        name: `${w.tier} ${w.window} ${segment}`,
        showSymbol: false,
        data: t.map((ms, i) => [ms, burn(wi, s, i)]),
        ...(wi === 0 && s === 0
          ? {
              markLine: { silent: true, symbol: 'none', data: [{ yAxis: 14.4 }, { yAxis: 6 }] },
              markArea: { silent: true, data: bands.map((b) => [{ xAxis: b.from }, { xAxis: b.to }]) },
            }
          : {}),
      }),
    ),
  );
  const burnRates = {
    animation: false,
    legend: { top: 0 },
    grid: { top: 60, left: 60, right: 20, bottom: 40 },
    xAxis: { type: 'time' },
    yAxis: { type: 'log', name: 'burn rate' },
    series: burnSeries,
  };
  return [errors, burnRates];
}

/**
 * zrender numbers its painters and their classes, clip paths and gradients process-wide (`zr0-cls-3`,
 * then `zr1-cls-9` on the next chart): renumber each kind by first appearance, as the report does.
 */
function stableIds(svg) {
  const seen = new Map();
  return svg.replace(/zr\d+-(cls-|ani-|[a-z])(\d+)/g, (token, kind) => {
    if (!seen.has(token))
      seen.set(token, `c-${kind}${[...seen.keys()].filter((k) => k.includes(`-${kind}`)).length}`);
    return seen.get(token);
  });
}

function drawEcharts({ use, init, parts }) {
  // Only what the two charts use, registered on `echarts/core`: what the report imports.
  use(parts);
  return echartsOptions().map((option) => {
    const chart = init(null, null, { renderer: 'svg', ssr: true, width: 900, height: 440 });
    chart.setOption(option);
    const svg = chart.renderToSVGString();
    chart.dispose();
    return stableIds(svg);
  });
}

// ---------------------------------------------------------------------------------------------
// Vega-Lite: the same two charts as layered specs over long-format rows.

function vegaLiteSpecs() {
  const rows = [];
  segments.forEach((segment, s) =>
    views.forEach((view, v) =>
      t.forEach((ms, i) =>
        rows.push({ t: ms, segment, view, errorRatio: errorRatio(s, v, i), p95: p95(s, v, i) }),
      ),
    ),
  );
  const shade = faults.map(([from, to]) => ({ from, to }));
  const panel = (field, title) => ({
    width: 820,
    height: 160,
    layer: [
      {
        data: { values: shade },
        mark: { type: 'rect', color: '#d62728', opacity: 0.12 },
        encoding: { x: { field: 'from', type: 'temporal' }, x2: { field: 'to' } },
      },
      {
        data: { values: rows },
        mark: { type: 'line' },
        encoding: {
          x: { field: 't', type: 'temporal', scale: { type: 'utc' } },
          y: { field, type: 'quantitative', title },
          color: { field: 'segment', type: 'nominal' },
          strokeDash: { field: 'view', type: 'nominal' },
        },
      },
    ],
  });
  const errors = {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    vconcat: [panel('errorRatio', 'error ratio'), panel('p95', 'p95 ms')],
  };
  const burnRows = [];
  windows.forEach((w, wi) =>
    segments.forEach((segment, s) =>
      t.forEach((ms, i) =>
        burnRows.push({ t: ms, series: `${w.tier} ${w.window} ${segment}`, value: burn(wi, s, i) }),
      ),
    ),
  );
  const burnRates = {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    width: 820,
    height: 340,
    layer: [
      {
        data: { values: bands },
        mark: { type: 'rect', opacity: 0.15 },
        encoding: {
          x: { field: 'from', type: 'temporal' },
          x2: { field: 'to' },
          color: { field: 'state', type: 'nominal', scale: { range: ['#ff7f0e', '#d62728'] } },
        },
      },
      {
        data: { values: burnRows },
        mark: { type: 'line' },
        encoding: {
          x: { field: 't', type: 'temporal', scale: { type: 'utc' } },
          y: { field: 'value', type: 'quantitative', scale: { type: 'symlog' }, title: 'burn rate' },
          detail: { field: 'series', type: 'nominal' },
          stroke: { field: 'series', type: 'nominal' },
        },
      },
      {
        data: { values: windows.map((w) => ({ threshold: w.threshold })) },
        mark: { type: 'rule', strokeDash: [4, 4] },
        encoding: { y: { field: 'threshold', type: 'quantitative' } },
      },
    ],
  };
  return [errors, burnRates];
}

async function drawVega({ vega, vl }) {
  const out = [];
  for (const spec of vegaLiteSpecs()) {
    const view = new vega.View(vega.parse(vl.compile(spec).spec), { renderer: 'none' });
    out.push(await view.toSVG());
    view.finalize();
  }
  return out;
}

// ---------------------------------------------------------------------------------------------

// ---------------------------------------------------------------------------------------------
// Loading: as separate files from node_modules (what `tsx` and the tests do), and bundled with
// esbuild into one file (what the shipped `dist/shopsre.js` does with its lazily loaded chunks).

const echartsEntry = `import { LineChart } from 'echarts/charts';
import { GridComponent, LegendComponent, MarkAreaComponent, MarkLineComponent, TitleComponent } from 'echarts/components';
import { SVGRenderer } from 'echarts/renderers';
export { use, init } from 'echarts/core';
export const parts = [LineChart, GridComponent, LegendComponent, MarkAreaComponent, MarkLineComponent, TitleComponent, SVGRenderer];`;
const vegaEntry = `export * as vega from 'vega'; export * as vl from 'vega-lite';`;
const bundleDir = join(tmpdir(), 'shopsre-chartbench');
const bundles = {
  echarts: { entry: echartsEntry, resolveDir: root, file: join(bundleDir, 'echarts.mjs') },
  vega: { entry: vegaEntry, resolveDir: vegaPrefix, file: join(bundleDir, 'vega.mjs') },
};

async function bundle() {
  const { build } = await import('esbuild');
  mkdirSync(bundleDir, { recursive: true });
  for (const { entry, resolveDir, file } of Object.values(bundles)) {
    await build({
      stdin: { contents: entry, resolveDir, loader: 'js' },
      outfile: file,
      bundle: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      minify: true,
      logLevel: 'error',
      banner: {
        js: 'import { createRequire as __cr } from "node:module"; const require = __cr(import.meta.url);',
      },
    });
  }
}

const candidates = {
  'echarts bundled': { load: () => import(pathToFileURL(bundles.echarts.file).href), draw: drawEcharts },
  'vega-lite bundled': { load: () => import(pathToFileURL(bundles.vega.file).href), draw: drawVega },
  echarts: {
    load: async () => {
      const [core, charts, components, renderers] = await Promise.all([
        import('echarts/core'),
        import('echarts/charts'),
        import('echarts/components'),
        import('echarts/renderers'),
      ]);
      const { LineChart } = charts;
      const { GridComponent, LegendComponent, MarkAreaComponent, MarkLineComponent, TitleComponent } =
        components;
      const parts = [
        LineChart,
        GridComponent,
        LegendComponent,
        MarkAreaComponent,
        MarkLineComponent,
        TitleComponent,
      ];
      return { use: core.use, init: core.init, parts: [...parts, renderers.SVGRenderer] };
    },
    draw: drawEcharts,
  },
  'vega-lite': {
    load: async () => {
      const require = createRequire(join(vegaPrefix, 'node_modules', 'x.js'));
      return { vega: require('vega'), vl: require('vega-lite') };
    },
    draw: drawVega,
  },
};

async function child(name) {
  const { load, draw } = candidates[name];
  const start = process.hrtime.bigint();
  const library = await load();
  const imported = process.hrtime.bigint();
  const first = await draw(library);
  const end = process.hrtime.bigint();
  const second = await draw(library);
  const warmMs = Number(process.hrtime.bigint() - end) / 1e6;
  process.stdout.write(
    JSON.stringify({
      importMs: Number(imported - start) / 1e6,
      coldMs: Number(end - start) / 1e6,
      warmMs,
      bytes: first.map((svg) => Buffer.byteLength(svg)),
      deterministic: first.every((svg, i) => svg === second[i]),
      rss: process.memoryUsage().rss,
    }),
  );
}

function median(list) {
  const sorted = [...list].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function measure(name) {
  const result = spawnSync(process.execPath, [self, '--child', name], { cwd: root, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`${name} failed: ${result.stderr}`);
  return JSON.parse(result.stdout);
}

async function main() {
  if (process.argv[2] === '--child') return child(process.argv[3]);
  if (!existsSync(join(vegaPrefix, 'node_modules', 'vega-lite'))) {
    console.error(
      `vega-lite not found under ${vegaPrefix}: npm install --prefix ${vegaPrefix} vega@5.33.1 vega-lite@5.23.0`,
    );
    process.exitCode = 2;
    return;
  }
  await bundle();
  const names = Object.keys(candidates);
  const samples = Object.fromEntries(names.map((n) => [n, []]));
  for (const name of names) measure(name); // warm the page cache for all before counting
  for (let round = 0; round < rounds; round++) for (const name of names) samples[name].push(measure(name));
  const rows = names.map((name) => {
    const list = samples[name];
    return {
      name,
      importMs: median(list.map((s) => s.importMs)),
      coldMs: median(list.map((s) => s.coldMs)),
      warmMs: median(list.map((s) => s.warmMs)),
      bytes: list[0].bytes,
      rssMb: median(list.map((s) => s.rss)) / 2 ** 20,
      deterministic: list.every((s) => s.deterministic),
    };
  });
  const kb = (file) => `${(statSync(file).size / 1024).toFixed(0)} kB`;
  console.log(
    `median of ${rounds} fresh processes; 2 charts, ${points} points × ${segments.length} segments × 2 views`,
  );
  console.log(
    `bundles: echarts ${kb(bundles.echarts.file)}, vega + vega-lite ${kb(bundles.vega.file)} (minified)`,
  );
  const header = ['library', 'import ms', 'cold ms', 'warm ms', 'errors.svg B', 'burn.svg B', 'RSS MB'];
  console.log(
    `${header[0].padEnd(18)} ${header
      .slice(1)
      .map((h) => h.padStart(12))
      .join(' ')}  same bytes twice`,
  );
  for (const row of rows) {
    const cells = [row.importMs, row.coldMs, row.warmMs].map((v) => v.toFixed(0));
    cells.push(String(row.bytes[0]), String(row.bytes[1]), row.rssMb.toFixed(0));
    console.log(`${row.name.padEnd(18)} ${cells.map((c) => c.padStart(12)).join(' ')}  ${row.deterministic}`);
  }
  const byName = Object.fromEntries(rows.map((row) => [row.name, row]));
  for (const [subject, peer] of [
    ['vega-lite bundled', 'echarts bundled'],
    ['vega-lite', 'echarts'],
  ]) {
    const [a, b] = [byName[subject], byName[peer]];
    const size = (a.bytes[0] + a.bytes[1]) / (b.bytes[0] + b.bytes[1]);
    console.log(
      `${subject} / ${peer}: import ${(a.importMs / b.importMs).toFixed(2)}×, cold ${(a.coldMs / b.coldMs).toFixed(2)}×, warm ${(a.warmMs / b.warmMs).toFixed(2)}×, SVG size ${size.toFixed(2)}×, RSS ${(a.rssMb / b.rssMb).toFixed(2)}×`,
    );
  }
}

await main();
