/**
 * A stacked-free line chart of series over block heights, drawn with uPlot (leeoniya/uPlot):
 * `<${LineChart} x=${heights} series=${[{label, values}]} />`. Redrawn when the data changes;
 * the chart's numbers are also in a table next to it for keyboard and screen-reader users.
 */
import uPlot from "uplot"
import "uplot/dist/uPlot.min.css"
import { html, useEffect, useRef } from "./html.ts"

/** One line: its label and one value per x (null: no value). */
export interface Series {
  readonly label: string
  readonly values: ReadonlyArray<number | null>
}

const COLORS = ["#6cb6ff", "#4ec27a", "#ffb454", "#ff6b6b", "#c792ea", "#89ddff", "#f78c6c", "#c3e88d", "#ffcb6b", "#82aaff"]

/** The chart (see module doc); `title` labels it for assistive technology. */
export const LineChart = ({ x, series, title, height = 260 }: { x: ReadonlyArray<number>; series: ReadonlyArray<Series>; title: string; height?: number }) => {
  const box = useRef<HTMLDivElement>(null)
  const plot = useRef<uPlot | null>(null)
  const shape = series.map((s) => s.label).join("\u0000")
  useEffect(() => {
    const el = box.current
    if (!el) return
    const opts: uPlot.Options = {
      width: Math.max(300, el.clientWidth || 800),
      height,
      scales: { x: { time: false } },
      axes: [{ stroke: "#9aa3b2", grid: { stroke: "#2a2f3a" } }, { stroke: "#9aa3b2", grid: { stroke: "#2a2f3a" }, size: 90 }],
      series: [{ label: "height" }, ...series.map((s, i) => ({ label: s.label, stroke: COLORS[i % COLORS.length]!, width: 2, points: { show: true, size: 4 } }))]
    }
    plot.current = new uPlot(opts, [x as number[], ...series.map((s) => s.values as (number | null)[])], el)
    const onResize = () => plot.current?.setSize({ width: Math.max(300, el.clientWidth), height })
    addEventListener("resize", onResize)
    return () => {
      removeEventListener("resize", onResize)
      plot.current?.destroy()
      plot.current = null
    }
  }, [shape, height])
  useEffect(() => {
    plot.current?.setData([x as number[], ...series.map((s) => s.values as (number | null)[])])
  }, [x, series])
  return html`<div ref=${box} class="chart" role="img" aria-label=${title}></div>`
}
