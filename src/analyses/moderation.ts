/**
 * Moderation (seed Table 5): Y = β·D + γ·(D × M) + δ·M + controls + unit FE + year FE, clustered as the
 * main model; one model per moderator M. Terms: `treat_post`, `treat_post:<M>`, `<M>`, controls.
 */
import type { KeytechResult } from "../core/result.js";
import type { DidPanel } from "../data/panel.js";
import { fitTwfe, panelColumn, type PanelModel } from "./twfe-fit.js";

/** Rows with a missing moderator (a used variable) are dropped and counted in `dropped.missing`, as fixest. */
export function moderationTable(d: DidPanel, input: PanelModel & { by: string[]; command?: string }): KeytechResult[] {
  const y = panelColumn(d, input.outcome);
  const D = panelColumn(d, input.treat ?? "treat_post");
  const ctrls = input.controls.map((c) => ({ name: c, values: panelColumn(d, c) }));
  return input.by.map((m) => {
    const mv = panelColumn(d, m);
    const inter = Float64Array.from(mv, (x, i) => x * D[i]!);
    return fitTwfe(d, {
      y,
      yName: input.outcome,
      x: [{ name: "treat_post", values: D }, { name: `treat_post:${m}`, values: inter }, { name: m, values: mv }, ...ctrls],
      command: input.command ?? "moderation",
      options: { moderator: m },
    });
  });
}
