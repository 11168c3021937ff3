/** Path decomposition bars: total, each mediator's path-specific effect and the direct effect. */
import type { VlSpec } from "./render.js";

export interface PathBar {
  name: string;
  estimate: number;
  lo?: number | null;
  hi?: number | null;
  truth?: number | null;
}

export function pathsFigure(bars: PathBar[], opts: { title?: string; xTitle?: string } = {}): VlSpec {
  const values = bars.map((b) => ({ name: b.name, estimate: b.estimate, lo: b.lo ?? b.estimate, hi: b.hi ?? b.estimate }));
  const order = bars.map((b) => b.name);
  const layers: VlSpec[] = [
    {
      data: { values },
      mark: { type: "bar", color: "#5b8cc4" },
      encoding: {
        y: { field: "name", type: "nominal", sort: order, title: null },
        x: { field: "estimate", type: "quantitative", title: opts.xTitle ?? "Effect" },
        tooltip: [{ field: "name" }, { field: "estimate", format: ".3f" }, { field: "lo", format: ".3f" }, { field: "hi", format: ".3f" }],
      },
    },
    {
      data: { values },
      mark: { type: "rule", color: "#222" },
      encoding: { y: { field: "name", type: "nominal", sort: order }, x: { field: "lo", type: "quantitative" }, x2: { field: "hi" } },
    },
  ];
  const truth = bars.filter((b) => b.truth != null && Number.isFinite(b.truth)).map((b) => ({ name: b.name, truth: b.truth, label: "true value (simulated)" }));
  if (truth.length) {
    layers.push({
      data: { values: truth },
      mark: { type: "tick", color: "#c0392b", thickness: 2, size: 18 },
      encoding: {
        y: { field: "name", type: "nominal", sort: order },
        x: { field: "truth", type: "quantitative" },
        tooltip: [{ field: "label" }, { field: "truth", format: ".3f" }],
      },
    });
  }
  return { title: opts.title ?? "Causal path decomposition", width: 480, height: 28 * bars.length + 20, layer: layers };
}
