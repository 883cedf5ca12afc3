import { describe, expect, it } from 'vitest';
import { SEGMENTS, FAULT_END, FAULT_START, T0, breachedJournal, heldJournal } from './fixtures.js';
import { file, rendered } from './render.js';
import { descendants, parseXml, type XmlElement } from './xml.js';
import { renderChart, stableIds } from '../../../src/gameday/report/charts/render.js';
import { errorRatioChart } from '../../../src/gameday/report/charts/options.js';

const held = heldJournal();
const breached = breachedJournal();

async function svgOf(journal: ReturnType<typeof heldJournal>, name: string): Promise<XmlElement> {
  return parseXml(file(await rendered(journal), `charts/${name}.svg`));
}

const all = (root: XmlElement, name: string): XmlElement[] =>
  descendants(root).filter((e) => e.name === name);
const texts = (root: XmlElement): string[] => all(root, 'text').map((t) => t.text);

/** Series lines: ECharts draws each inside a clip-path group; the shading carriers have no data, so an empty path. */
const lines = (root: XmlElement): XmlElement[] =>
  all(root, 'g')
    .filter((g) => g.attributes['clip-path'] !== undefined)
    .flatMap((g) => g.children.filter((c) => c.name === 'path' && (c.attributes.d ?? '') !== ''));

const polygons = (root: XmlElement, fill: string, opacity: string): XmlElement[] =>
  all(root, 'polygon').filter((p) => p.attributes.fill === fill && p.attributes['fill-opacity'] === opacity);

/** The x range a polygon covers, from its `points`. */
const xRange = (polygon: XmlElement): [number, number] => {
  const xs = (polygon.attributes.points ?? '')
    .split(' ')
    .filter((_, i) => i % 2 === 0)
    .map(Number);
  return [Math.min(...xs), Math.max(...xs)];
};

describe('the XML parser used here', () => {
  it('rejects what a real parser rejects', () => {
    expect(() => parseXml('<a><b></a></b>')).toThrow(/closes/);
    expect(() => parseXml('<a x=1/>')).toThrow(/quoted/);
    expect(() => parseXml('<a>&nbsp;</a>')).toThrow(/unknown entity/);
    expect(() => parseXml('<a>1 & 2</a>')).toThrow(/entity/);
    expect(() => parseXml('<a/><b/>')).toThrow(/after the root/);
    expect(parseXml('<?xml version="1.0"?><a k="&lt;&#65;"><![CDATA[<x>]]></a>')).toMatchObject({
      name: 'a',
      attributes: { k: '<A' },
      text: '<x>',
    });
  });
});

describe('chart: error ratio and p95', () => {
  it.each([
    ['held', held],
    ['breached', breached],
  ])('is valid SVG with one series per segment and view in each panel (%s)', async (_, journal) => {
    const svg = await svgOf(journal, 'error-ratio');
    expect(svg.name).toBe('svg');
    expect(svg.attributes.xmlns).toBe('http://www.w3.org/2000/svg');
    const legend = descendants(svg).filter((e) => e.attributes.ecmeta_ssr_type === 'legend');
    expect(legend).toHaveLength(SEGMENTS.length * 2);
    for (const segment of SEGMENTS) {
      expect(texts(svg)).toContain(`${segment} · customers`);
      expect(texts(svg)).toContain(`${segment} · servers`);
    }
    // 3 segments × 2 views × 2 panels (error ratio, p95).
    const drawn = lines(svg);
    expect(drawn).toHaveLength(SEGMENTS.length * 2 * 2);
    // One colour per segment; the servers' view dashed.
    expect(new Set(drawn.map((p) => p.attributes.stroke)).size).toBe(SEGMENTS.length);
    expect(drawn.filter((p) => p.attributes['stroke-dasharray'] !== undefined)).toHaveLength(
      SEGMENTS.length * 2,
    );
  });

  it('shades the fault window in both panels, where the fault was on', async () => {
    const svg = await svgOf(breached, 'error-ratio');
    const shaded = polygons(svg, 'rgb(214,39,40)', '0.12');
    expect(shaded).toHaveLength(2);
    // The time axis spans the samples (300 s) over the grid, x = 80 … 920.
    const x = (ms: number): number => 80 + ((ms - T0) / 299_000) * 840;
    for (const polygon of shaded) {
      const [from, to] = xRange(polygon);
      expect(from).toBeCloseTo(x(FAULT_START), 0);
      expect(to).toBeCloseTo(x(FAULT_END + 300), 0); // the secondary vendor was reverted last
    }
    // Both vendors' faults overlap: one window, named after both.
    expect(
      texts(svg).filter((t) => t === 'vendor-outage → vendor-primary, vendor-outage → vendor-secondary'),
    ).toHaveLength(2);
  });
});

describe('chart: burn rate', () => {
  it('draws each tier/window per segment, with threshold lines', async () => {
    const svg = await svgOf(breached, 'burn-rate');
    // 4 windows × 2 sources in the legend; 4 windows × 2 sources × 3 segment panels drawn.
    const legend = descendants(svg).filter((e) => e.attributes.ecmeta_ssr_type === 'legend');
    expect(legend).toHaveLength(8);
    expect(texts(svg)).toContain('page 1m (1h unscaled)');
    expect(texts(svg)).toContain('ticket 30s (30m unscaled) · prometheus');
    expect(lines(svg)).toHaveLength(24);
    for (const segment of SEGMENTS) expect(texts(svg)).toContain(`burn rate · ${segment}`);
    expect(texts(svg).filter((t) => t === 'page threshold ×14.4')).toHaveLength(3);
    expect(texts(svg).filter((t) => t === 'ticket threshold ×6')).toHaveLength(3);
  });

  it('marks pending and firing bands for the alerts, per source', async () => {
    const svg = await svgOf(breached, 'burn-rate');
    // pending: guest builtin, guest prometheus, vip builtin, member ticket; firing: the first three.
    expect(polygons(svg, 'rgb(255,127,14)', '0.18')).toHaveLength(4);
    expect(polygons(svg, 'rgb(214,39,40)', '0.22')).toHaveLength(3);
    expect(texts(svg)).toContain('firing (prometheus)');
    expect(texts(svg)).toContain('pending (builtin)');
    const quiet = await svgOf(held, 'burn-rate');
    expect(polygons(quiet, 'rgb(255,127,14)', '0.18')).toHaveLength(0);
    expect(polygons(quiet, 'rgb(214,39,40)', '0.22')).toHaveLength(0);
  });
});

describe('deterministic SVG', () => {
  it('carries no process-wide zrender ids, only ones numbered per chart', async () => {
    for (const name of ['error-ratio', 'burn-rate']) {
      const svg = file(await rendered(breached), `charts/${name}.svg`);
      expect(svg).not.toMatch(/zr\d+-/);
      expect(svg).toContain(`clip-path="url(#${name}-c0)"`);
      const ids = descendants(parseXml(svg)).flatMap((e) =>
        e.attributes.id === undefined ? [] : [e.attributes.id],
      );
      expect(new Set(ids).size).toBe(ids.length);
    }
  });

  it('renders the same bytes however many charts the process drew before', async () => {
    const spec = errorRatioChart(held);
    const first = await renderChart(spec);
    await renderChart(errorRatioChart(breached));
    expect(await renderChart(spec)).toBe(first);
  });

  it('renumbers ids in tags and styles but leaves text alone', () => {
    const svg =
      '<svg><g clip-path="url(#zr7-c3)" class="zr7-cls-9"><text>zr7-cls-9</text></g>' +
      '<style><![CDATA[.zr7-cls-9:hover{}]]></style><clipPath id="zr7-c3"/></svg>';
    expect(stableIds(svg, 'x')).toBe(
      '<svg><g clip-path="url(#x-c0)" class="x-cls-0"><text>zr7-cls-9</text></g>' +
        '<style><![CDATA[.x-cls-0:hover{}]]></style><clipPath id="x-c0"/></svg>',
    );
  });
});
