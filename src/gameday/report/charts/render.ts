import type * as EchartsCore from 'echarts/core';
import type { ChartSpec } from './options.js';

/**
 * Draws chart specs to SVG with ECharts' server-side renderer: no DOM, no canvas, no browser.
 * ECharts is imported here, lazily and only the parts the two charts use, so commands that never
 * draw (`slo check` in CI) do not pay for it (bench/charts.mjs has the figures).
 */

type Echarts = Pick<typeof EchartsCore, 'init'>;

let loaded: Promise<Echarts> | undefined;

async function load(): Promise<Echarts> {
  const [core, charts, components, renderers] = await Promise.all([
    import('echarts/core'),
    import('echarts/charts'),
    import('echarts/components'),
    import('echarts/renderers'),
  ]);
  core.use([
    charts.LineChart,
    components.GridComponent,
    components.LegendComponent,
    components.MarkAreaComponent,
    components.MarkLineComponent,
    components.TitleComponent,
    renderers.SVGRenderer,
  ]);
  return core;
}

export async function renderChart(spec: ChartSpec): Promise<string> {
  loaded ??= load();
  const echarts = await loaded;
  const chart = echarts.init(null, null, {
    renderer: 'svg',
    ssr: true,
    width: spec.width,
    height: spec.height,
  });
  try {
    chart.setOption(spec.option);
    return `${stableIds(chart.renderToSVGString(), prefixOf(spec.file))}\n`;
  } finally {
    chart.dispose();
  }
}

/** `charts/error-ratio.svg` → `error-ratio`: ids stay unique if two charts are inlined in one page. */
function prefixOf(file: string): string {
  return (file.split('/').pop() ?? file).replace(/\.svg$/, '').replace(/[^A-Za-z0-9-]/g, '-');
}

/** zrender's own ids: painter, then kind (class, animation, clip path, gradient, pattern, shadow), then a counter. */
const zrenderId = /zr\d+-(cls-|ani-|[a-z])(\d+)/g;

/**
 * zrender numbers its painters, CSS classes, clip paths and gradients with process-wide counters
 * (`zr0-cls-3` in one chart, `zr1-cls-9` in the next, different again in the next process), so the
 * same journal would give different bytes. Renumber each kind by first appearance under a fixed
 * prefix. Only tags and the <style> block are rewritten: text nodes carry journal text and stay
 * as they are.
 */
export function stableIds(svg: string, prefix: string): string {
  const assigned = new Map<string, string>();
  const perKind = new Map<string, number>();
  const renumber = (token: string, kind: string): string => {
    let id = assigned.get(token);
    if (id === undefined) {
      const next = perKind.get(kind) ?? 0;
      perKind.set(kind, next + 1);
      id = `${prefix}-${kind}${next}`;
      assigned.set(token, id);
    }
    return id;
  };
  return svg.replace(/<style[^>]*>[\s\S]*?<\/style>|<[^>]+>/g, (markup) =>
    markup.replace(zrenderId, renumber),
  );
}
