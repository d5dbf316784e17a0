// A reusable ECharts chart: tree-shaken modules, SVG renderer, follows its container's size and the
// Mantine colour scheme, disposed on unmount. Accessible: the chart is an image with an aria-label,
// and the same numbers are given as a visually hidden table (or summary text) for screen readers.
import { useComputedColorScheme, VisuallyHidden } from '@mantine/core';
import { useEffect, useRef, type CSSProperties, type ReactNode } from 'react';
import * as echarts from 'echarts/core';
import { BarChart, LineChart, PieChart } from 'echarts/charts';
import {
  AriaComponent,
  DatasetComponent,
  GridComponent,
  LegendComponent,
  MarkLineComponent,
  TitleComponent,
  TooltipComponent,
} from 'echarts/components';
import { SVGRenderer } from 'echarts/renderers';

echarts.use([
  BarChart, LineChart, PieChart,
  AriaComponent, DatasetComponent, GridComponent, LegendComponent, MarkLineComponent, TitleComponent, TooltipComponent,
  SVGRenderer,
]);

/** Register further ECharts modules (charts or components) a page needs beyond the defaults above. */
export const registerEChartsModules = echarts.use;

export type EChartOption = echarts.EChartsCoreOption;

/** The numbers behind a chart, for the visually hidden table. */
export interface EChartTable {
  caption?: string;
  columns: string[];
  rows: Array<Array<string | number | null>>;
}

export interface EChartProps {
  option: EChartOption;
  /** What the chart shows, read out by screen readers (and shown as the tooltip of the figure). */
  ariaLabel: string;
  /** The data as a table, hidden visually but read by screen readers. */
  table?: EChartTable;
  /** Or (and) a text summary, hidden visually. */
  summary?: ReactNode;
  height?: number | string;
  style?: CSSProperties;
  /** data-testid on the outer element, for tests. */
  testId?: string;
  /** Called with the chart instance after every setOption (e.g. to attach click handlers). */
  onReady?: (chart: echarts.ECharts) => void;
}

export function EChart({ option, ariaLabel, table, summary, height = 280, style, testId, onReady }: EChartProps) {
  const scheme = useComputedColorScheme('light');
  const ref = useRef<HTMLDivElement>(null);
  const chartRef = useRef<echarts.ECharts | null>(null);
  const optionRef = useRef(option);
  optionRef.current = option;
  const appliedRef = useRef<EChartOption | null>(null);
  const readyRef = useRef(onReady);
  readyRef.current = onReady;

  // One instance per colour scheme (a theme is fixed at init): created, observed and disposed here.
  useEffect(() => {
    const el = ref.current;
    if (!el) return undefined;
    const chart = echarts.init(el, scheme === 'dark' ? 'dark' : undefined, { renderer: 'svg' });
    chartRef.current = chart;
    chart.setOption({ backgroundColor: 'transparent', ...optionRef.current });
    appliedRef.current = optionRef.current;
    readyRef.current?.(chart);
    let frame = 0;
    const observer = new ResizeObserver(() => {
      cancelAnimationFrame(frame);
      frame = requestAnimationFrame(() => {
        if (!chart.isDisposed()) chart.resize();
      });
    });
    observer.observe(el);
    return () => {
      cancelAnimationFrame(frame);
      observer.disconnect();
      chart.dispose();
      chartRef.current = null;
    };
  }, [scheme]);

  // New data: merge-free update so removed series disappear.
  useEffect(() => {
    const chart = chartRef.current;
    if (!chart || chart.isDisposed() || appliedRef.current === option) return;
    appliedRef.current = option;
    chart.setOption({ backgroundColor: 'transparent', ...option }, { notMerge: true });
    readyRef.current?.(chart);
  }, [option]);

  return (
    <div data-testid={testId} style={style}>
      <div role="img" aria-label={ariaLabel} title={ariaLabel}>
        {/* The drawing itself is hidden from assistive technology: the label and the table speak for it. */}
        <div ref={ref} aria-hidden="true" style={{ width: '100%', height }} />
      </div>
      {(table || summary) && (
        <VisuallyHidden>
          {summary && <p>{summary}</p>}
          {table && (
            <table>
              {table.caption && <caption>{table.caption}</caption>}
              <thead>
                <tr>{table.columns.map((c) => <th key={c} scope="col">{c}</th>)}</tr>
              </thead>
              <tbody>
                {table.rows.map((row, i) => (
                  <tr key={i}>
                    {row.map((cell, j) => (j === 0 ? <th key={j} scope="row">{cell ?? ''}</th> : <td key={j}>{cell ?? ''}</td>))}
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </VisuallyHidden>
      )}
    </div>
  );
}
