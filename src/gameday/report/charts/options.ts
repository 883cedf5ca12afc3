import type { EChartsCoreOption } from 'echarts/core';
import { formatDuration } from '../../../core/duration.js';
import type { BurnSeries, Journal, JournalAlert, ViewSeries } from '../../journal.js';
import { compare } from '../detection.js';
import { num, percent } from '../../format.js';

/**
 * The two charts as ECharts options: plain data, built without the library, so what is drawn can be
 * read and tested apart from how. Colours are fixed per segment and per window so that two reports
 * compare at a glance; `animation: false` because a server-side render has no frames, and `useUTC`
 * because the axis must say the same thing on every machine.
 */

export interface ChartSpec {
  /** Path inside the report, linked from postmortem.md. */
  readonly file: string;
  readonly title: string;
  readonly width: number;
  readonly height: number;
  readonly option: EChartsCoreOption;
}

export const chartFiles = { errorRatio: 'charts/error-ratio.svg', burnRate: 'charts/burn-rate.svg' } as const;

const segmentPalette = [
  '#1f77b4',
  '#2ca02c',
  '#9467bd',
  '#8c564b',
  '#e377c2',
  '#17becf',
  '#bcbd22',
  '#7f7f7f',
];
const windowPalette = [
  '#d62728',
  '#ff7f0e',
  '#1f77b4',
  '#2ca02c',
  '#9467bd',
  '#8c564b',
  '#17becf',
  '#7f7f7f',
];
export const faultColour = 'rgba(214,39,40,0.12)';
export const bandColours = { pending: 'rgba(255,127,14,0.18)', firing: 'rgba(214,39,40,0.22)' } as const;
const viewStyle = { customers: 'solid', servers: 'dashed' } as const;
const sourceStyle: Readonly<Record<BurnSeries['source'], string>> = {
  builtin: 'solid',
  prometheus: 'dashed',
  results: 'dotted',
};
const timeLabel = '{HH}:{mm}:{ss}';
const pick = (palette: readonly string[], index: number): string => palette[index % palette.length] ?? '#333';

interface Window {
  readonly fromMs: number;
  readonly toMs: number;
  readonly label: string;
}

/**
 * The stretches when a fault was on, from injection to revert (or to the end of the run, when it never
 * reverted). Overlapping faults (both vendors down at once) merge into one shaded window naming them
 * all: shading them one over the other would darken the overlap and stack their labels.
 */
export function faultWindows(journal: Pick<Journal, 'faults' | 'endedAtMs'>): Window[] {
  const spans = journal.faults
    .flatMap((f) =>
      f.injectedAtMs === undefined
        ? []
        : [
            {
              fromMs: f.injectedAtMs,
              toMs: f.revertedAtMs ?? journal.endedAtMs,
              label: `${f.fault} → ${f.target}`,
              id: f.id,
            },
          ],
    )
    .sort((a, b) => a.fromMs - b.fromMs || compare(a.id, b.id));
  const merged: { fromMs: number; toMs: number; labels: string[] }[] = [];
  for (const span of spans) {
    const last = merged[merged.length - 1];
    if (last !== undefined && span.fromMs <= last.toMs) {
      last.toMs = Math.max(last.toMs, span.toMs);
      if (!last.labels.includes(span.label)) last.labels.push(span.label);
    } else merged.push({ fromMs: span.fromMs, toMs: span.toMs, labels: [span.label] });
  }
  return merged.map((m) => ({ fromMs: m.fromMs, toMs: m.toMs, label: m.labels.join(', ') }));
}

/** An alert's pending and firing stretches, from its transitions; open ones end with the run. */
export function alertBands(
  alert: JournalAlert,
  endMs: number,
): (Window & { state: 'pending' | 'firing'; source: JournalAlert['source'] })[] {
  const transitions = [...alert.transitions].sort((a, b) => a.atMs - b.atMs);
  return transitions.flatMap((t, i) => {
    if (t.state === 'inactive') return [];
    const toMs = transitions[i + 1]?.atMs ?? endMs;
    if (toMs <= t.atMs) return [];
    return [
      { fromMs: t.atMs, toMs, state: t.state, source: alert.source, label: `${t.state} (${alert.source})` },
    ];
  });
}

const shade = (windows: readonly Window[], colour: string): object => ({
  silent: true,
  itemStyle: { color: colour },
  label: { show: true, position: 'insideTop', fontSize: 10, color: '#555' },
  data: windows.map((w) => [{ name: w.label, xAxis: w.fromMs }, { xAxis: w.toMs }]),
});

/** A series with no data of its own: it carries the shaded windows and threshold lines of one grid. */
const markerSeries = (grid: number, markArea: object, markLine?: object): object => ({
  type: 'line',
  name: '',
  xAxisIndex: grid,
  yAxisIndex: grid,
  data: [],
  markArea,
  ...(markLine === undefined ? {} : { markLine }),
});

const points = (
  t: readonly number[],
  values: readonly (number | null)[] | undefined,
): [number, number | null][] => t.map((ms, i) => [ms, values?.[i] ?? null]);

const timeAxis = (grid: number, journal: Journal): object => ({
  type: 'time',
  gridIndex: grid,
  min: journal.series.t[0] ?? journal.startedAtMs,
  max: journal.series.t[journal.series.t.length - 1] ?? journal.endedAtMs,
  axisLabel: { formatter: timeLabel, hideOverlap: true },
  splitLine: { show: false },
});

export function seriesName(segment: string, view: keyof typeof viewStyle): string {
  return `${segment} · ${view}`;
}

/**
 * Chart 1: checkout error ratio (top) and p95 latency (bottom) per segment over time, each segment in
 * its colour, the customers' view (load generator) solid and the servers' (/metrics) dashed, with the
 * fault windows shaded in both panels.
 */
export function errorRatioChart(journal: Journal): ChartSpec {
  const { series } = journal;
  const segments = [...new Set([...Object.keys(series.customers), ...Object.keys(series.servers)])].sort(
    compare,
  );
  const faults = faultWindows(journal);
  const lines: object[] = [];
  const legend: string[] = [];
  segments.forEach((segment, s) => {
    for (const view of ['customers', 'servers'] as const) {
      const data: ViewSeries | undefined = series[view][segment];
      if (data === undefined) continue;
      const name = seriesName(segment, view);
      legend.push(name);
      const style = { color: pick(segmentPalette, s), lineStyle: { type: viewStyle[view], width: 1.5 } };
      lines.push(
        {
          type: 'line',
          name,
          xAxisIndex: 0,
          yAxisIndex: 0,
          symbol: 'none',
          ...style,
          data: points(series.t, data.errorRatio),
        },
        {
          type: 'line',
          name,
          xAxisIndex: 1,
          yAxisIndex: 1,
          symbol: 'none',
          ...style,
          data: points(series.t, data.p95Ms),
        },
      );
    }
  });
  const width = 960;
  const height = 640;
  return {
    file: chartFiles.errorRatio,
    title: 'Checkout error ratio and p95 per segment',
    width,
    height,
    option: {
      animation: false,
      useUTC: true,
      title: {
        text: 'Checkout error ratio and p95 per segment (UTC)',
        subtext: 'solid: customers (load generator) · dashed: servers (/metrics) · shaded: fault windows',
        left: 'center',
      },
      legend: { top: 58, data: legend },
      grid: [
        { top: 110, height: 210, left: 80, right: 40 },
        { top: 380, height: 210, left: 80, right: 40 },
      ],
      xAxis: [timeAxis(0, journal), timeAxis(1, journal)],
      yAxis: [
        {
          type: 'value',
          gridIndex: 0,
          name: 'error ratio',
          min: 0,
          axisLabel: { formatter: (v: number) => percent(v) },
        },
        { type: 'value', gridIndex: 1, name: 'p95 (ms)', min: 0 },
      ],
      series: [
        markerSeries(0, shade(faults, faultColour)),
        markerSeries(1, shade(faults, faultColour)),
        ...lines,
      ],
    },
  };
}

function burnName(series: BurnSeries, timeScale: number): string {
  const window = `${formatDuration(series.windowMs)}${timeScale === 1 ? '' : ` (${formatDuration(Math.round(series.windowMs * timeScale))} unscaled)`}`;
  const tier = series.tier === undefined ? '' : `${series.tier} `;
  return `${tier}${window}${series.source === 'builtin' ? '' : ` · ${series.source}`}`;
}

const tierOrder = (tier: BurnSeries['tier']): number => (tier === 'page' ? 0 : tier === 'ticket' ? 1 : 2);

/**
 * Chart 2: burn rate per tier and window, one panel per segment, with each tier's threshold as a line
 * and the segment's alerts marked as pending and firing bands. Sources other than the built-in
 * evaluator are dashed (Prometheus) or dotted (load results).
 */
export function burnRateChart(journal: Journal): ChartSpec {
  const all = '(all segments)';
  const burns = [...journal.series.burnRates].sort(
    (a, b) =>
      tierOrder(a.tier) - tierOrder(b.tier) ||
      b.windowMs - a.windowMs ||
      compare(a.source, b.source) ||
      compare(a.slo, b.slo) ||
      compare(a.segment ?? '', b.segment ?? ''),
  );
  const segments = [...new Set(burns.map((b) => b.segment ?? all))].sort(compare);
  const names = [...new Set(burns.map((b) => burnName(b, journal.timeScale)))];
  const windowKeys = [...new Set(burns.map((b) => `${b.tier ?? ''}/${b.windowMs}`))];
  const panelHeight = 170;
  // Room for the title and a legend of up to three rows (two sources × four windows).
  const top = 160;
  const gap = 60;
  const grids = segments.map((_, i) => ({
    top: top + i * (panelHeight + gap),
    height: panelHeight,
    left: 80,
    right: 40,
  }));
  const thresholds = (segment: string): { tier: string; value: number }[] => {
    const found = new Map<string, { tier: string; value: number }>();
    for (const b of burns) {
      if ((b.segment ?? all) !== segment || b.threshold === undefined) continue;
      const key = `${b.tier ?? ''}/${b.threshold}`;
      found.set(key, { tier: b.tier ?? 'threshold', value: b.threshold });
    }
    return [...found.values()].sort((a, b) => b.value - a.value);
  };
  const marks = segments.map((segment, i) => {
    const alerts = journal.alerts
      .filter((a) => (a.segment ?? all) === segment)
      .sort((a, b) => compare(a.alertname, b.alertname) || compare(a.source, b.source));
    const bands = alerts.flatMap((a) => alertBands(a, journal.endedAtMs));
    const lines = thresholds(segment);
    const area = {
      silent: true,
      label: { show: true, position: 'insideTop', fontSize: 10, color: '#555' },
      data: bands.map((b) => [
        {
          name: b.label,
          xAxis: b.fromMs,
          itemStyle: { color: bandColours[b.state] },
          // Two sources' bands overlap: label one at the top and the other at the bottom.
          label: { position: b.source === 'builtin' ? 'insideTop' : 'insideBottom' },
        },
        { xAxis: b.toMs },
      ]),
    };
    const markLine = {
      silent: true,
      symbol: 'none',
      lineStyle: { type: 'dashed', color: '#444' },
      label: { formatter: '{b}', position: 'insideEndTop', fontSize: 10 },
      data: lines.map((l) => ({ name: `${l.tier} threshold ×${num(l.value)}`, yAxis: l.value })),
    };
    return markerSeries(i, area, markLine);
  });
  const lines = burns.map((b) => {
    const grid = segments.indexOf(b.segment ?? all);
    const colour = pick(windowPalette, windowKeys.indexOf(`${b.tier ?? ''}/${b.windowMs}`));
    return {
      type: 'line',
      name: burnName(b, journal.timeScale),
      xAxisIndex: grid,
      yAxisIndex: grid,
      symbol: 'none',
      color: colour,
      lineStyle: { type: sourceStyle[b.source], width: 1.5 },
      data: points(journal.series.t, b.values),
    };
  });
  const maxThreshold = Math.max(0, ...burns.map((b) => b.threshold ?? 0));
  return {
    file: chartFiles.burnRate,
    title: 'Burn rate per tier and window',
    width: 960,
    height: top + segments.length * (panelHeight + gap) + 10,
    option: {
      animation: false,
      useUTC: true,
      title: {
        text: 'Burn rate per tier and window (UTC)',
        subtext: 'dashed lines: thresholds · bands: alerts pending (orange) and firing (red)',
        left: 'center',
      },
      legend: { top: 58, data: names },
      grid: grids,
      xAxis: segments.map((_, i) => timeAxis(i, journal)),
      yAxis: segments.map((segment, i) => ({
        type: 'value',
        gridIndex: i,
        name: `burn rate · ${segment}`,
        nameTextStyle: { align: 'left' },
        min: 0,
        // Keep the threshold lines on the chart even when nothing burned that fast.
        max: (extent: { max: number }) => Math.ceil(Math.max(extent.max, maxThreshold * 1.15, 1)),
      })),
      series: [...marks, ...lines],
    },
  };
}
