/** A uPlot chart in a Preact component: made once per data change, sized to its box. */
import { useEffect, useRef } from "preact/hooks";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";

interface Props {
  title: string;
  data: uPlot.AlignedData;
  series: uPlot.Series[];
  testId: string;
  bars?: boolean;
}

export function Chart({ title, data, series, testId, bars = false }: Props) {
  const padSeconds = bars ? 86_400 : 60;
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const element = box.current;
    if (!element) return;
    const dark = window.matchMedia("(prefers-color-scheme: dark)").matches;
    const axis = { stroke: dark ? "#aab" : "#445", grid: { stroke: dark ? "#2a2f38" : "#e3e6ea" } };
    const plot = new uPlot(
      {
        title,
        width: Math.max(260, element.clientWidth),
        height: 220,
        series: [
          {},
          ...series.map((s) => ({
            ...s,
            ...(bars ? { paths: uPlot.paths.bars?.({ size: [0.6, 40] }) } : {}),
          })),
        ],
        axes: [axis, axis],
        scales: {
          x: {
            time: true,
            range: xRange(data[0] as ArrayLike<number>, padSeconds),
          },
        },
      },
      data,
      element,
    );
    const resize = () => plot.setSize({ width: Math.max(260, element.clientWidth), height: 220 });
    window.addEventListener("resize", resize);
    return () => {
      window.removeEventListener("resize", resize);
      plot.destroy();
    };
  }, [title, data, series, bars, padSeconds]);
  return <div class="chart" ref={box} data-testid={testId} />;
}

/** The data's time span, padded; uPlot's own range for one point (or one bar) spans years. */
function xRange(xs: ArrayLike<number>, padSeconds: number): [number, number] {
  if (xs.length === 0) {
    const now = Date.now() / 1000;
    return [now - padSeconds, now + padSeconds];
  }
  const min = xs[0] as number;
  const max = xs[xs.length - 1] as number;
  const pad = Math.max(padSeconds, (max - min) * 0.05);
  return [min - pad, max + pad];
}
