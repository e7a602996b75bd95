// The ECharts parts the dashboard (static/js/dashboard.js) uses, and nothing else: bar and line
// charts on a grid, with a tooltip (its axis pointer) and a legend, drawn as SVG. Bundled by
// scripts/vendor_assets.py with esbuild into build/vendor/echarts/echarts-dashboard.min.js, which
// sets the global `echarts` as the full build did. A chart type or component the dashboard starts
// to use must be added here.
import * as echarts from "echarts/core";
import { BarChart, LineChart } from "echarts/charts";
import { GridComponent, LegendComponent, TooltipComponent } from "echarts/components";
import { LabelLayout } from "echarts/features";
import { SVGRenderer } from "echarts/renderers";

echarts.use([
  BarChart,
  LineChart,
  GridComponent,
  LegendComponent,
  TooltipComponent,
  LabelLayout,
  SVGRenderer,
]);

window.echarts = echarts;
