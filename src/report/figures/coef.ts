/** Generic coefficient plot: one point with a 95% CI per row, optionally coloured by group. */
import type { VlSpec } from "./render.js";

export interface CoefRow {
  label: string;
  estimate: number;
  lo: number;
  hi: number;
  group?: string;
}

export function coefFigure(rows: CoefRow[], opts: { title?: string; xTitle?: string; reference?: number | null } = {}): VlSpec {
  const values = rows.filter((r) => Number.isFinite(r.estimate)).map((r) => ({ ...r, group: r.group ?? "estimate" }));
  const order = [...new Set(values.map((v) => v.label))];
  const layers: VlSpec[] = [];
  if (opts.reference !== null)
    layers.push({
      data: { values: [{ x: opts.reference ?? 0 }] },
      mark: { type: "rule", color: "#999", strokeDash: [4, 3] },
      encoding: { x: { field: "x", type: "quantitative" } },
    });
  layers.push(
    {
      data: { values },
      mark: { type: "rule" },
      encoding: {
        y: { field: "label", type: "nominal", sort: order, title: null },
        x: { field: "lo", type: "quantitative" },
        x2: { field: "hi" },
        color: { field: "group", type: "nominal", title: null },
      },
    },
    {
      data: { values },
      mark: { type: "point", filled: true, size: 50 },
      encoding: {
        y: { field: "label", type: "nominal", sort: order },
        x: { field: "estimate", type: "quantitative", title: opts.xTitle ?? "Estimate (95% CI)", scale: { zero: opts.reference !== null } },
        color: { field: "group", type: "nominal", title: null },
        tooltip: [{ field: "label" }, { field: "estimate", format: ".3f" }, { field: "lo", format: ".3f" }, { field: "hi", format: ".3f" }],
      },
    },
  );
  return { title: opts.title ?? "Coefficients", width: 480, height: Math.max(60, 24 * values.length), layer: layers };
}
