/**
 * HonestDiD sensitivity plot (as HonestDiD's createSensitivityPlot): the robust confidence set for each
 * value of M (Δ^SD) or M̄ (Δ^RM) as a vertical interval, the original CI at the left in another colour, the
 * zero line, and the breakdown value marked when there is one.
 */
import type { VlSpec } from "./render.js";

export function sensitivityFigure(
  rows: { x: number; lb: number | null; ub: number | null }[],
  original: { lb: number; ub: number },
  o: { title: string; xTitle: string; breakdown: number | null; yTitle?: string },
): VlSpec {
  const step = rows.length > 1 ? Math.abs(rows[1]!.x - rows[0]!.x) : 1;
  const xOrig = (rows[0]?.x ?? 0) - step;
  const values = [
    { x: xOrig, lb: original.lb, ub: original.ub, set: "Original" },
    ...rows.filter((r) => r.lb !== null && r.ub !== null).map((r) => ({ x: r.x, lb: r.lb!, ub: r.ub!, set: "Robust" })),
  ];
  const ys = values.flatMap((v) => [v.lb, v.ub, 0]);
  const lo = Math.min(...ys),
    hi = Math.max(...ys),
    pad = (hi - lo) * 0.06 || 1;
  const y = { scale: { domain: [lo - pad, hi + pad], nice: false, zero: false } };
  const layers: VlSpec[] = [
    { data: { values: [{ y: 0 }] }, mark: { type: "rule", color: "#888", strokeDash: [4, 3] }, encoding: { y: { field: "y", type: "quantitative", ...y } } },
    {
      data: { values },
      mark: { type: "errorbar", ticks: true, thickness: 2 },
      encoding: {
        x: {
          field: "x",
          type: "quantitative",
          title: o.xTitle,
          scale: { domain: [xOrig - step / 2, (rows[rows.length - 1]?.x ?? 0) + step / 2], nice: false, zero: false },
        },
        y: { field: "lb", type: "quantitative", title: o.yTitle ?? "95% confidence set", ...y },
        y2: { field: "ub" },
        color: { field: "set", type: "nominal", title: null, scale: { domain: ["Original", "Robust"], range: ["#c0392b", "#2c6fbb"] } },
        tooltip: [{ field: "set" }, { field: "x", title: o.xTitle, format: ".3f" }, { field: "lb", format: ".3f" }, { field: "ub", format: ".3f" }],
      },
    },
  ];
  if (o.breakdown !== null)
    layers.push({
      data: { values: [{ x: o.breakdown, label: `breakdown ${o.breakdown.toFixed(2)}` }] },
      mark: { type: "rule", color: "#8e44ad", strokeDash: [2, 2] },
      encoding: { x: { field: "x", type: "quantitative" }, tooltip: [{ field: "label" }] },
    });
  return { title: o.title, width: 480, height: 260, layer: layers };
}
