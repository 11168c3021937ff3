/**
 * Sensitivity of the event study to violations of parallel trends (Rambachan & Roth 2023, R HonestDiD):
 * from the event study's coefficients on rel::K and their covariance, the robust 95% confidence sets for
 * the first post-period effect (or the average of the post periods) under relative-magnitude bounds
 * (Δ^RM, M̄: post-period violations at most M̄ times the largest pre-period one; C-LF sets) and smoothness
 * bounds (Δ^SD, M: the slope of the violation changes by at most M per period; FLCI), with the original CI
 * and the breakdown value (the smallest M̄ / M at which the effect stops being significant).
 */
import { z } from "zod";
import { honestSensitivity, parseLVec, readHonestInput, type SensitivityResult } from "../../inference/honest/sensitivity.js";
import { words } from "../words.js";
import { defineBlock, NotAvailable, type FigureData } from "./types.js";

const f3 = (x: number | null | undefined) => (x === null || x === undefined || !Number.isFinite(x) ? "" : x.toFixed(4));

export const sensitivity = defineBlock({
  id: "sensitivity",
  title: "Robustness 1c: sensitivity to violations of parallel trends (HonestDiD)",
  section: "robustness",
  table: "Robustness 1c",
  needs: ["event_study"],
  options: z.strictObject({
    enabled: z.boolean().default(true),
    /** which event-study estimator's coefficients (its result must carry the covariance) */
    estimator: z.enum(["twfe", "sunab"]).default("twfe"),
    restrictions: z
      .array(z.enum(["rm", "sd"]))
      .min(1)
      .default(["rm", "sd"]),
    /** Δ^RM bounds M̄ */
    mbar: z.array(z.number().min(0)).min(1).default([0.5, 1, 1.5, 2]),
    /** Δ^SD bounds M (default: HonestDiD's 10 points up to the pre-period bound) */
    m: z.array(z.number().min(0)).optional(),
    /** the effect studied: the first post period, or the average of the post periods */
    l_vec: z.enum(["first", "average"]).default("first"),
    alpha: z.number().gt(0).lt(0.5).default(0.05),
  }),
  methods: (o, spec) =>
    `Sensitivity of the event study (${o.estimator === "twfe" ? "TWFE" : "Sun–Abraham"} coefficients and their covariance) to violations of parallel trends, after Rambachan & Roth (2023) as in R HonestDiD: robust ${Math.round((1 - o.alpha) * 100)}% confidence sets for ${o.l_vec === "first" ? "the effect in the first post period" : "the average effect over the post periods"} on ${spec.outcome.label}${o.restrictions.includes("rm") ? `; relative magnitudes Δ^RM (post-period violations at most M̄ times the largest pre-period one; conditional least-favourable hybrid sets; M̄ = ${o.mbar.join(", ")})` : ""}${o.restrictions.includes("sd") ? "; smoothness Δ^SD (the slope of the violation changes by at most M per period; fixed-length CIs)" : ""}. The breakdown value is the smallest bound at which the set includes 0; the ${words(spec).time} before the start (e = −1) is the reference.`,
  async run(ctx, o) {
    const ev = ctx.deps.event_study;
    const model = ev?.models.find((m) => m.name === o.estimator);
    if (!model) throw new NotAvailable(`the event study has no ${o.estimator} estimates (add "${o.estimator}" to blocks.event_study.estimators)`);
    let input;
    try {
      input = readHonestInput(model.result).input;
    } catch (e) {
      throw new NotAvailable(`the ${o.estimator} event study cannot feed the sensitivity analysis: ${(e as Error).message.replace(/^--from: /, "")}`);
    }
    const l = parseLVec(o.l_vec, input.numPost);
    const runs: SensitivityResult[] = [];
    for (const r of o.restrictions)
      runs.push(
        await honestSensitivity(input, {
          restriction: r,
          ...(r === "rm" ? { Mbar: o.mbar } : o.m ? { M: o.m } : {}),
          l,
          alpha: o.alpha,
          seed: ctx.seed % 2 ** 31,
        }),
      );
    const orig = runs[0]!.original;
    const rows = [{ term: "Original", cells: ["", "", f3(orig.lb), f3(orig.ub)] }];
    const figures: FigureData[] = [];
    const notes: string[] = [];
    for (const run of runs) {
      const rm = run.bounds[0]?.restriction === "RM";
      for (const b of run.bounds)
        rows.push({ term: rm ? `M̄ = ${b.Mbar}` : `M = ${Number(b.M!.toPrecision(4))}`, cells: [rm ? "Δ^RM" : "Δ^SD", b.method, f3(b.lb), f3(b.ub)] });
      const bd = run.breakdown;
      if (bd)
        notes.push(
          `${rm ? "Δ^RM" : "Δ^SD"} breakdown value: ${bd.not_significant_at_zero ? "the original CI already contains 0" : bd.value === null ? "0 stays excluded up to the largest bound searched" : `${rm ? "M̄" : "M"} = ${bd.value.toFixed(3)}`} (${bd.method}).`,
        );
      figures.push({
        kind: "sensitivity",
        id: `sensitivity_${rm ? "rm" : "sd"}`,
        title: `Sensitivity to parallel-trends violations: ${rm ? "relative magnitudes (Δ^RM)" : "smoothness (Δ^SD)"}`,
        xTitle: rm ? "M̄" : "M",
        original: { lb: orig.lb, ub: orig.ub },
        rows: run.bounds.map((b) => ({ x: (rm ? b.Mbar : b.M)!, lb: b.lb, ub: b.ub })),
        breakdown: bd?.value ?? null,
      });
    }
    return {
      models: [],
      statsTable: {
        header: ["Restriction", "Method", "Lower", "Upper"],
        rows,
        note: `Bounds of the robust ${Math.round((1 - o.alpha) * 100)}% confidence set for ${o.l_vec === "first" ? "the first post-period effect" : "the average post-period effect"}; "Original" is the usual CI (no violation allowed). HonestDiD methods: FLCI fixed-length CI, C-LF conditional least-favourable hybrid.`,
      },
      notes: [`Pre-periods ${input.numPre}, post-periods ${input.numPost}; original estimate ${f3(orig.estimate)} (SE ${f3(orig.std_error)}).`, ...notes],
      figures,
      extra: { sensitivity: runs },
    };
  },
});
