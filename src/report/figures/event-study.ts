/** Event-study figure: coefficients by relative period with 95% CIs, several estimators overlaid. */
import type { EventPoint } from "../../core/result.js";
import type { VlSpec } from "./render.js";

export type { EventPoint };
export interface EventSeries {
  estimator: string;
  points: EventPoint[];
}

/** Points dodged horizontally per estimator; the reference period (−1) line and the zero line drawn. */
export function eventStudyFigure(
  series: EventSeries[],
  opts: { title?: string; yTitle?: string; xTitle?: string; truth?: { rel: number; value: number }[] } = {},
): VlSpec {
  const k = series.length;
  const width = 0.5;
  const values = series.flatMap((s, j) =>
    s.points
      .filter((p) => Number.isFinite(p.estimate))
      .map((p) => ({
        estimator: s.estimator,
        rel: p.rel,
        x: p.rel + (k > 1 ? (j / (k - 1) - 0.5) * width : 0),
        estimate: p.estimate,
        lo: Number.isFinite(p.lo) ? p.lo : p.estimate,
        hi: Number.isFinite(p.hi) ? p.hi : p.estimate,
      })),
  );
  // the y scale covers every interval and the truth (never clipped), with a little room
  const ys = [0, ...values.flatMap((v) => [v.lo, v.hi]), ...(opts.truth ?? []).map((t) => t.value)].filter(Number.isFinite);
  const lo = Math.min(...ys),
    hi = Math.max(...ys),
    pad = (hi - lo) * 0.05 || 1;
  const yScale = { domain: [lo - pad, hi + pad], nice: false, zero: false };
  // the x scale leaves room for the dodged intervals at both ends
  const xs = [...values.map((v) => v.x), ...(opts.truth ?? []).map((t) => t.rel)];
  const xScale = { domain: [Math.min(...xs) - 0.7, Math.max(...xs) + 0.7], nice: false, zero: false };
  const truthName = "True effect (simulated)";
  const names = [...series.map((s) => s.estimator), ...(opts.truth?.length ? [truthName] : [])];
  const color = { field: "estimator", type: "nominal", title: "Estimator", scale: { domain: names }, legend: { labelLimit: 240 } };
  const layers: VlSpec[] = [
    { data: { values: [{ y: 0 }] }, mark: { type: "rule", color: "#888", strokeDash: [4, 3] }, encoding: { y: { field: "y", type: "quantitative" } } },
    { data: { values: [{ x: -0.5 }] }, mark: { type: "rule", color: "#bbb" }, encoding: { x: { field: "x", type: "quantitative" } } },
    {
      data: { values },
      mark: { type: "rule", strokeWidth: 1.5 },
      encoding: {
        x: { field: "x", type: "quantitative", scale: xScale },
        y: { field: "lo", type: "quantitative", scale: yScale },
        y2: { field: "hi" },
        color,
      },
    },
    {
      data: { values },
      mark: { type: "point", filled: true, size: 45 },
      encoding: {
        x: { field: "x", type: "quantitative", title: opts.xTitle ?? "Periods relative to treatment", axis: { tickMinStep: 1 }, scale: xScale },
        y: { field: "estimate", type: "quantitative", title: opts.yTitle ?? "Effect (95% CI)", scale: yScale },
        color,
        tooltip: [
          { field: "estimator" },
          { field: "rel", title: "relative year" },
          { field: "estimate", format: ".3f" },
          { field: "lo", format: ".3f" },
          { field: "hi", format: ".3f" },
        ],
      },
    },
  ];
  if (opts.truth?.length) {
    layers.push({
      data: { values: opts.truth.map((t) => ({ rel: t.rel, truth: t.value, estimator: truthName })) },
      mark: { type: "line", strokeDash: [2, 2], point: { shape: "cross", size: 30 } },
      encoding: {
        x: { field: "rel", type: "quantitative" },
        y: { field: "truth", type: "quantitative", scale: yScale },
        color,
        tooltip: [{ field: "estimator" }, { field: "rel" }, { field: "truth", format: ".3f" }],
      },
    });
  }
  return { title: opts.title ?? "Event study", width: 560, height: 300, layer: layers };
}
