/**
 * Moderation (seed Table 5): Y = β·D + γ·(D × M) + δ·M + controls + unit FE + year FE, clustered as the
 * main model; one model per moderator M. Terms: `treat_post`, `treat_post:<M>`, `<M>`, controls.
 */
import type { KeytechResult } from "../../core/result.js";
import { inputError } from "../../core/errors.js";
import type { BlockContext } from "../blocks/types.js";
import { fitTwfe } from "../blocks/common.js";

export function moderationTable(input: { ctx: BlockContext; by: string[] }): KeytechResult[] {
  const { ctx } = input;
  const num = (n: string) => {
    const v = ctx.data.num[n];
    if (!v) throw inputError(`column '${n}' is not a numeric column of the panel`, { column: n });
    return v;
  };
  const y = num(ctx.spec.outcome.column);
  const D = num("treat_post");
  const ctrls = ctx.spec.model.controls.map((c) => ({ name: c, values: num(c) }));
  return input.by.map((m) => {
    const mv = num(m);
    const inter = Float64Array.from(mv, (x, i) => x * D[i]!);
    return fitTwfe(ctx, {
      y, yName: ctx.spec.outcome.column,
      x: [{ name: "treat_post", values: D }, { name: `treat_post:${m}`, values: inter }, { name: m, values: mv }, ...ctrls],
      command: "moderation", options: { moderator: m },
    });
  });
}
