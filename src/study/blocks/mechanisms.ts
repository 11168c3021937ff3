/** Mechanisms (Table 2), causal paths (Table 3), heterogeneity (Table 4) and moderation (Table 5). */
import { z } from "zod";
import { words } from "../words.js";
import type { KeytechResult } from "../../core/result.js";
import { formatP, stars } from "../../core/format.js";
import { heterogeneitySplit } from "../../analyses/heterogeneity.js";
import { jointMediationTest, mediationTable } from "../../analyses/mediation.js";
import { moderationTable } from "../../analyses/moderation.js";
import { medianSplit } from "../../analyses/twfe-fit.js";
import { defineBlock, NotAvailable, type BlockModel, type FigureData } from "./types.js";
import { column, columnsOrMeasured, studyModel, term } from "./common.js";
import { runPaths, runPermute } from "./adapters.js";

const base = { enabled: z.boolean().default(true) };

export const mechanisms = defineBlock({
  id: "mechanisms",
  title: "Mechanisms: co-specialisation, diffusion, allocation efficiency",
  section: "mechanisms",
  table: "Table 2",
  options: z.strictObject({ ...base, mediators: z.array(z.string().min(1)).default([]), joint_test: z.boolean().default(true) }),
  columns: (o) => o.mediators,
  methods: (o, spec) =>
    `Two-step mediation${words(spec).paper("eqs. 5–6")}: each mediator (${o.mediators.map(words(spec).v).join(", ") || "the mediators measured from the patents"}) on Treat × Post, then ${spec.outcome.label} on the mediator and Treat × Post, with controls, ${words(spec).unit} and ${words(spec).time} fixed effects and SEs clustered by ${spec.model.cluster}. Per mediator: Sobel z = âb̂/√(â²se_b² + b̂²se_a²) and the joint-significance p = max(p_a, p_b)${o.joint_test ? "; joint test of the three mechanisms after Guo, Li, Liu & Zeng (2022) when available" : ""}.`,
  async run(ctx, o) {
    o = { ...o, mediators: columnsOrMeasured(ctx, o.mediators, ["cospecialize", "diffusion", "efficiency"], "blocks.mechanisms.mediators", "mediators") };
    const d = ctx.data.panel;
    const model = studyModel(ctx);
    const med = mediationTable(d, { ...model, mediators: o.mediators });
    const models: BlockModel[] = med.models.flatMap(({ mediator: m, a, b }) => [
      { name: `${m}_a`, label: words(ctx.spec).v(m), result: a },
      { name: `${m}_b`, label: ctx.spec.outcome.label, result: b },
    ]);
    const rows = o.mediators.map((m) => {
      const s = med.summary.estimates.find((e) => e.term === `sobel:${m}`)!;
      const mp = med.summary.estimates.find((e) => e.term === `maxp:${m}`)!;
      return { mediator: m, a: s.a as number, b: s.b as number, sobel_z: s.statistic!, sobel_p: s.p_value!, maxp: mp.p_value! };
    });
    const notes: string[] = [];
    let joint: KeytechResult | null = null;
    let guoRow: { label: string; cells: string[] } | null = null;
    const fmtP = (p: number | null | undefined) => formatP(p);
    if (o.joint_test) {
      joint = jointMediationTest(d, { ...model, mediators: o.mediators });
      const est = joint.estimates;
      const single = (m: string) => est.find((r) => r.term === `single:${m}`);
      const all = est.find((r) => r.term === "joint");
      guoRow = { label: "Guo et al. S_n p (single)", cells: o.mediators.flatMap((m) => [fmtP(single(m)?.p_value), ""]) };
      if (all)
        notes.push(
          `Joint test of all ${o.mediators.length} mechanisms (Guo et al. 2022): S_n = ${Number(all.statistic).toFixed(2)}, p = ${fmtP(all.p_value)}.`,
        );
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
  options: z.strictObject({
    ...base,
    mediators: z.array(z.string().min(1)).default([]),
    model: z.enum(["bart", "linear"]).default("linear"),
    boot: z.number().int().min(0).default(100),
  }),
  columns: (o) => o.mediators,
  methods: (o, spec) =>
    `Zhou & Yamamoto (2023) path-specific effects with ordered mediators ${o.mediators.map(words(spec).v).join(" → ") || "co-specialisation → diffusion → efficiency (measured from the patents)"}: imputation-based weighting estimator with ${o.model === "bart" ? "Bayesian additive regression trees" : "linear"} models; total effect, each mediator's path effect and share, and the direct effect, with ${o.boot} bootstrap replications for SEs (R paths).`,
  async run(ctx, o) {
    o = { ...o, mediators: columnsOrMeasured(ctx, o.mediators, ["cospecialize", "diffusion", "efficiency"], "blocks.paths.mediators", "mediators") };
    if (o.model === "bart")
      ctx.log(
        `BART path models on ${ctx.data.n} rows with ${o.boot} bootstrap draws: expect about ${Math.ceil(((30 + 25 * o.boot) * (ctx.data.n / 9570)) / 60)} min on 2 cores`,
      );
    const r = await runPaths(ctx, o);
    const bars = r.estimates.map((e) => ({ name: e.term, estimate: e.estimate ?? NaN, lo: e.conf_low, hi: e.conf_high }));
    const fig: FigureData = { kind: "paths", id: "paths", title: "Causal path decomposition", bars };
    const f = (x: number | null | undefined, d = 4) => (x === null || x === undefined || !Number.isFinite(x) ? "" : x.toFixed(d));
    const statsTable = {
      header: ["Effect", "SE", "95% CI", "Share of total (%)"],
      rows: r.estimates.map((e) => ({
        term: e.term,
        cells: [
          f(e.estimate) + stars(e.p_value),
          f(e.std_error),
          e.conf_low != null && e.conf_high != null ? `[${f(e.conf_low)}, ${f(e.conf_high)}]` : "",
          typeof e.share === "number" ? f(100 * e.share, 1) : "",
        ],
      })),
    };
    return { models: [{ name: "paths", label: "Path effects", result: r }], figures: [fig], statsTable };
  },
});

export const heterogeneity = defineBlock({
  id: "heterogeneity",
  title: "Heterogeneity: split samples",
  section: "heterogeneity",
  table: "Table 4",
  options: z.strictObject({
    ...base,
    by: z.array(z.string().min(1)).default([]),
    reps: z.number().int().min(0).default(200),
    permute: z.enum(["unit", "obs"]).default("unit"),
  }),
  columns: (o) => o.by,
  methods: (o, spec) =>
    `Split samples at the median of the ${words(spec).unit} mean of ${o.by.map(words(spec).v).join(", ")}; the baseline model with controls in each half; the difference of the Treat × Post coefficients (low − high) is tested by a Fisher permutation test (${o.reps} draws, ${o.permute}-level reshuffling; bdiff-style empirical p) when the permutation analysis is available.`,
  async run(ctx, o) {
    o = { ...o, by: columnsOrMeasured(ctx, o.by, [], "blocks.heterogeneity.by", "split variables") };
    const models: BlockModel[] = [];
    const diffs: string[] = [];
    const notes: string[] = [];
    const d = ctx.data.panel;
    for (const v of o.by) {
      const { low: rl, high: rh } = heterogeneitySplit(d, { ...studyModel(ctx), by: v });
      const high = medianSplit(d, column(ctx.data, v));
      models.push(
        { name: `${v}_low`, label: `${words(ctx.spec).v(v)}: low`, result: rl },
        { name: `${v}_high`, label: `${words(ctx.spec).v(v)}: high`, result: rh },
      );
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
  options: z.strictObject({ ...base, by: z.array(z.string().min(1)).default([]) }),
  columns: (o) => o.by,
  methods: (o, spec) =>
    `The baseline model with controls plus each moderator (${o.by.map(words(spec).v).join(", ")}) and its interaction with Treat × Post; ${words(spec).unit} and ${words(spec).time} fixed effects, SEs clustered by ${spec.model.cluster}.`,
  async run(ctx, o) {
    o = { ...o, by: columnsOrMeasured(ctx, o.by, [], "blocks.moderation.by", "moderators") };
    const results = moderationTable(ctx.data.panel, { ...studyModel(ctx), by: o.by, command: "did twfe" });
    const models: BlockModel[] = o.by.map((m, j) => ({ name: m, label: `(${j + 1}) ${words(ctx.spec).v(m)}`, result: results[j]! }));
    return { models, keyTerms: ["treat_post", ...o.by.flatMap((m) => [`treat_post:${m}`, m])] };
  },
});
