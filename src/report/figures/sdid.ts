/** Synthetic DID figures: treated vs synthetic-control trajectories, and the unit/time weights. */
import type { VlSpec } from "./render.js";

export interface SdidTrajectory {
  times: number[];
  treated: number[];
  synthetic: number[];
  /** first treated period (vertical line) */
  treatStart: number;
}

export function sdidTrajectoryFigure(tr: SdidTrajectory, opts: { title?: string; yTitle?: string } = {}): VlSpec {
  const values = tr.times
    .flatMap((t, i) => [
      { time: t, value: tr.treated[i], series: "treated" },
      { time: t, value: tr.synthetic[i], series: "synthetic control" },
    ])
    .filter((v) => Number.isFinite(v.value));
  return {
    title: opts.title ?? "Synthetic DID: treated vs synthetic control",
    width: 520,
    height: 260,
    layer: [
      {
        data: { values: [{ t: tr.treatStart - 0.5 }] },
        mark: { type: "rule", color: "#999", strokeDash: [4, 3] },
        encoding: { x: { field: "t", type: "quantitative" } },
      },
      {
        data: { values },
        mark: { type: "line", point: true },
        encoding: {
          x: { field: "time", type: "quantitative", title: "Year", axis: { format: "d" }, scale: { zero: false } },
          y: { field: "value", type: "quantitative", title: opts.yTitle ?? "Outcome", scale: { zero: false } },
          color: { field: "series", type: "nominal", title: null, scale: { range: ["#c0392b", "#2c6fbb"] } },
          tooltip: [{ field: "series" }, { field: "time" }, { field: "value", format: ".3f" }],
        },
      },
    ],
  };
}

export function sdidWeightsFigure(
  unitWeights: { unit: string; weight: number }[],
  timeWeights: { time: number; weight: number }[],
  opts: { topUnits?: number } = {},
): VlSpec {
  const top = [...unitWeights]
    .filter((u) => u.weight > 0)
    .sort((a, b) => b.weight - a.weight)
    .slice(0, opts.topUnits ?? 20);
  return {
    title: "Synthetic DID weights",
    hconcat: [
      {
        title: `Unit weights (top ${top.length})`,
        width: 260,
        height: 260,
        data: { values: top.map((u) => ({ unit: String(u.unit), weight: u.weight })) },
        mark: { type: "bar", color: "#2c6fbb" },
        encoding: {
          y: { field: "unit", type: "nominal", sort: "-x", title: "Control unit" },
          x: { field: "weight", type: "quantitative", title: "ω" },
          tooltip: [{ field: "unit" }, { field: "weight", format: ".4f" }],
        },
      },
      {
        title: "Time weights",
        width: 220,
        height: 260,
        data: { values: timeWeights.map((t) => ({ time: String(t.time), weight: t.weight })) },
        mark: { type: "bar", color: "#7f8c8d" },
        encoding: {
          x: { field: "time", type: "ordinal", title: "Pre-period" },
          y: { field: "weight", type: "quantitative", title: "λ" },
          tooltip: [{ field: "time" }, { field: "weight", format: ".4f" }],
        },
      },
    ],
  };
}
