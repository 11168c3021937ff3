/** Placebo (counterfactual pilots / permutation) distribution with the real estimate marked. */
import type { VlSpec } from "./render.js";

export function placeboFigure(draws: number[], estimate: number, opts: { title?: string; xTitle?: string; pValue?: number | null } = {}): VlSpec {
  const finite = draws.filter((d) => Number.isFinite(d));
  const sub = opts.pValue != null ? `randomisation p = ${opts.pValue.toFixed(3)} (${finite.length} draws)` : `${finite.length} draws`;
  return {
    title: { text: opts.title ?? "Placebo distribution", subtitle: sub },
    width: 520,
    height: 240,
    layer: [
      {
        data: { values: finite.map((d) => ({ draw: d })) },
        mark: { type: "bar", color: "#9ab4d6" },
        encoding: {
          x: {
            field: "draw",
            type: "quantitative",
            bin: { maxbins: 40, extent: [Math.min(...finite, estimate), Math.max(...finite, estimate)] },
            title: opts.xTitle ?? "Placebo estimate",
          },
          y: { aggregate: "count", type: "quantitative", title: "Draws" },
        },
      },
      {
        data: { values: [{ estimate, label: "real estimate" }] },
        mark: { type: "rule", color: "#c0392b", strokeWidth: 2 },
        encoding: { x: { field: "estimate", type: "quantitative" }, tooltip: [{ field: "label" }, { field: "estimate", format: ".3f" }] },
      },
      {
        data: { values: [{ estimate, label: `real estimate ${estimate.toFixed(3)}` }] },
        mark: { type: "text", color: "#c0392b", align: "right", dx: -4, dy: -110, fontSize: 11 },
        encoding: { x: { field: "estimate", type: "quantitative" }, text: { field: "label" } },
      },
    ],
  };
}
