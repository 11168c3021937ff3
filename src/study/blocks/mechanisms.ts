/** Mechanisms (Table 2), causal paths (Table 3), heterogeneity (Table 4) and moderation (Table 5). */
import { z } from "zod";
import type { KeytechResult } from "../../core/result.js";
import { pnorm } from "../../core/distributions.js";
import { formatP } from "../../core/format.js";
import { defineBlock, NotAvailable, type BlockModel, type FigureData } from "./types.js";
import { analysis, column, controls, exported, fitTwfe, medianSplit, term, treat } from "./common.js";
import { runPaths, runPermute } from "./adapters.js";

const base = { enabled: z.boolean().default(true) };
type AnalysisFn = (input: unknown) => Promise<KeytechResult> | KeytechResult;

export const mechanisms = defineBlock({
  id: "mechanisms",
  title: "Mechanisms: co-specialisation, diffusion, allocation efficiency",
  section: "mechanisms",
  table: "Table 2",
  options: z.strictObject({ ...base, mediators: z.array(z.string().min(1)).min(1), joint_test: z.boolean().default(true) }),
  columns: (o) => o.mediators,
  methods: (o, spec) => `Two-step mediation (paper eqs. 5–6): each mediator (${o.mediators.join(", ")}) on Treat×Post, then ${spec.outcome.label} on the mediator and Treat×Post, with controls, county and year fixed effects and SEs clustered by ${spec.model.cluster}. Per mediator: Sobel z = âb̂/√(â²se_b² + b̂²se_a²) and the joint-significance p = max(p_a, p_b)${o.joint_test ? "; joint test of the three mechanisms after Guo, Li, Liu & Zeng (2022) when available" : ""}.`,
  async run(ctx, o) {
    const y = column(ctx.data, ctx.spec.outcome.column);
    const models: BlockModel[] = [];
    const rows: { mediator: string; a: number; b: number; sobel_z: number; sobel_p: number; maxp: number }[] = [];
    for (const m of o.mediators) {
      const mv = column(ctx.data, m);
      const ra = fitTwfe(ctx, { y: mv, yName: m, x: [treat(ctx), ...controls(ctx)], command: "mediation a", options: { mediator: m } });
      const rb = fitTwfe(ctx, { y, yName: ctx.spec.outcome.column, x: [{ name: m, values: mv }, treat(ctx), ...controls(ctx)], command: "mediation b", options: { mediator: m } });
      models.push({ name: `${m}_a`, label: m, result: ra }, { name: `${m}_b`, label: ctx.spec.outcome.label, result: rb });
      const a = term(ra, "treat_post")!, b = term(rb, m)!;
      const z = (a.estimate! * b.estimate!) / Math.sqrt(a.estimate! ** 2 * b.std_error! ** 2 + b.estimate! ** 2 * a.std_error! ** 2);
      rows.push({ mediator: m, a: a.estimate!, b: b.estimate!, sobel_z: z, sobel_p: 2 * (1 - pnorm(Math.abs(z))), maxp: Math.max(a.p_value!, b.p_value!) });
    }
    const notes: string[] = [];
    let joint: unknown = null;
    let guoRow: { label: string; cells: string[] } | null = null;
    const fmtP = (p: number | null | undefined) => formatP(p);
    if (o.joint_test) {
      try {
        const mod = await analysis("mediation");
        const fn = exported<AnalysisFn>(mod, "jointMediationTest", "mediation");
        joint = await fn({ ctx, mediators: o.mediators });
        const est = (joint as { estimates?: { term: string; statistic: number | null; p_value: number | null }[] }).estimates ?? [];
        const single = (m: string) => est.find((r) => r.term === `single:${m}`);
        const all = est.find((r) => r.term === "joint");
        guoRow = { label: "Guo et al. S_n p (single)", cells: o.mediators.flatMap((m) => [fmtP(single(m)?.p_value), ""]) };
        if (all) notes.push(`Joint test of all ${o.mediators.length} mechanisms (Guo et al. 2022): S_n = ${Number(all.statistic).toFixed(2)}, p = ${fmtP(all.p_value)}.`);
      } catch (e) {
        if (e instanceof NotAvailable) notes.push(`Joint mechanism test (Guo et al. 2022): not available (${e.message}).`);
        else throw e;
      }
    }
    return {
      models,
      keyTerms: ["treat_post", ...o.mediators],
      extraRows: [
        { label: "Sobel z", cells: rows.flatMap((r) => [r.sobel_z.toFixed(3), ""]) },
        { label: "Joint significance p", cells: rows.flatMap((r) => [formatP(r.maxp), ""]) },
        ...(guoRow ? [guoRow] : []),
      ],
      notes,
      extra: { mediation: rows, joint },
    };
  },
});

export const paths = defineBlock({
  id: "paths",
  title: "Causal path decomposition",
  section: "paths",
  table: "Table 3",
  options: z.strictObject({ ...base, mediators: z.array(z.string().min(1)).min(1), model: z.enum(["bart", "linear"]).default("linear"), boot: z.number().int().min(0).default(100) }),
  columns: (o) => o.mediators,
  methods: (o) => `Zhou & Yamamoto (2023) path-specific effects with ordered mediators ${o.mediators.join(" → ")}: imputation-based weighting estimator with ${o.model === "bart" ? "Bayesian additive regression trees" : "linear"} models; total effect, each mediator's path effect and share, and the direct effect, with ${o.boot} bootstrap replications for SEs (R paths).`,
  async run(ctx, o) {
    const r = await runPaths(ctx, o);
    const bars = r.estimates.map((e) => ({ name: e.term, estimate: e.estimate ?? NaN, lo: e.conf_low, hi: e.conf_high }));
    const fig: FigureData = { kind: "paths", id: "paths", title: "Causal path decomposition", bars };
    return { models: [{ name: "paths", label: "Path effects", result: r }], figures: [fig] };
  },
});

export const heterogeneity = defineBlock({
  id: "heterogeneity",
  title: "Heterogeneity: split samples",
  section: "heterogeneity",
  table: "Table 4",
  options: z.strictObject({ ...base, by: z.array(z.string().min(1)).min(1), reps: z.number().int().min(0).default(200), permute: z.enum(["unit", "obs"]).default("unit") }),
  columns: (o) => o.by,
  methods: (o) => `Split samples at the median of the county mean of ${o.by.join(", ")}; the baseline model with controls in each half; the difference of the Treat×Post coefficients (low − high) is tested by a Fisher permutation test (${o.reps} draws, ${o.permute}-level reshuffling; bdiff-style empirical p) when the permutation analysis is available.`,
  async run(ctx, o) {
    const models: BlockModel[] = [];
    const diffs: string[] = [];
    const notes: string[] = [];
    const y = column(ctx.data, ctx.spec.outcome.column);
    for (const v of o.by) {
      const high = medianSplit(ctx.data, column(ctx.data, v));
      const low = Uint8Array.from(high, (h) => 1 - h);
      const rl = fitTwfe(ctx, { y, yName: ctx.spec.outcome.column, x: [treat(ctx), ...controls(ctx)], mask: low, command: "did twfe", options: { split: v, half: "low" } });
      const rh = fitTwfe(ctx, { y, yName: ctx.spec.outcome.column, x: [treat(ctx), ...controls(ctx)], mask: high, command: "did twfe", options: { split: v, half: "high" } });
      models.push({ name: `${v}_low`, label: `${v} low`, result: rl }, { name: `${v}_high`, label: `${v} high`, result: rh });
      const d0 = term(rl, "treat_post")!.estimate! - term(rh, "treat_post")!.estimate!;
      let p = "";
      if (o.reps > 0) {
        try {
          const r = runPermute(ctx, high, o.reps, o.permute);
          const row = r.estimates.find((e) => e.term === "diff:treat_post");
          const pb = row?.p_value_bdiff as number | undefined;
          p = ` (${o.permute}-level permutation p = ${formatP(row?.p_value, o.reps)}${pb !== undefined ? `, bdiff p = ${formatP(pb, o.reps)}` : ""})`;
        } catch (e) {
          if (e instanceof NotAvailable) notes.push(`Permutation test for ${v}: not available (${e.message}).`);
          else throw e;
        }
      }
      diffs.push(`${d0.toFixed(4)}${p}`, "");
    }
    return { models, keyTerms: ["treat_post"], extraRows: [{ label: "Difference low − high", cells: diffs }], notes };
  },
});

export const moderation = defineBlock({
  id: "moderation",
  title: "Moderation: supply-chain and innovation-chain linkage",
  section: "moderation",
  table: "Table 5",
  options: z.strictObject({ ...base, by: z.array(z.string().min(1)).min(1) }),
  columns: (o) => o.by,
  methods: (o, spec) => `The baseline model with controls plus each moderator (${o.by.join(", ")}) and its interaction with Treat×Post; county and year fixed effects, SEs clustered by ${spec.model.cluster}.`,
  async run(ctx, o) {
    const D = column(ctx.data, "treat_post");
    const models: BlockModel[] = o.by.map((m, j) => {
      const mv = column(ctx.data, m);
      return {
        name: m,
        label: `(${j + 1}) ${m}`,
        result: fitTwfe(ctx, { y: column(ctx.data, ctx.spec.outcome.column), yName: ctx.spec.outcome.column, x: [treat(ctx), { name: `treat_post:${m}`, values: Float64Array.from(mv, (x, i) => x * D[i]!) }, { name: m, values: mv }, ...controls(ctx)], command: "did twfe", options: { moderator: m } }),
      };
    });
    return { models, keyTerms: ["treat_post", ...o.by.flatMap((m) => [`treat_post:${m}`, m])] };
  },
});
