/** Endogeneity checks: counterfactual pilots (placebo), Callaway–Sant'Anna, synthetic DID; Bacon diagnostics. */
import { z } from "zod";
import { words } from "../words.js";
import { formatP } from "../../core/format.js";
import { defineBlock, type FigureData } from "./types.js";
import { term } from "./common.js";
import { runBacon, runCs, runPlacebo, runSdid } from "./adapters.js";

const base = { enabled: z.boolean().default(true) };

export const placebo = defineBlock({
  id: "placebo",
  title: "Endogeneity 1: counterfactual treated units (placebo test)",
  section: "endogeneity",
  table: "Endogeneity 1",
  needs: ["baseline"],
  options: z.strictObject({
    ...base,
    reps: z.number().int().min(10).max(100000).default(500),
    strata: z.enum(["none", "outcome_rank"]).default("none"),
    pool: z.enum(["never_treated", "nonpilot", "all"]).default("never_treated"),
  }),
  methods: (o, spec) =>
    `Counterfactual treated ${words(spec).units} (METHODS §11): ${o.reps} times, for each adoption cohort draw as many ${words(spec).units} at random without replacement (pool: ${o.pool !== "all" ? `never-treated ${words(spec).units}` : `all ${words(spec).units}`}; strata: ${o.strata}), give them that cohort's start ${words(spec).time} and re-estimate the baseline TWFE with controls; the real estimate is compared with the placebo distribution (two-sided randomisation p = share of |β_r| ≥ |β̂|). Seeded.`,
  async run(ctx, o) {
    const r = runPlacebo(ctx, { ...o, pool: o.pool === "all" ? "all" : "nonpilot" }); // "nonpilot" = never treated (kept as an alias)
    const pl = (r.placebo as { draws?: number[]; p_value?: number; mean?: number; sd?: number } | undefined) ?? {};
    const draws = pl.draws ?? [];
    const real = term(r, "treat_post")?.estimate ?? NaN;
    const base =
      term(ctx.deps.baseline!.models.find((m) => m.name === "controls")?.result ?? ctx.deps.baseline!.models[0]!.result, "treat_post")?.estimate ?? NaN;
    const fig: FigureData = {
      kind: "placebo",
      id: "placebo",
      title: "Counterfactual treated units: placebo distribution of Treat × Post",
      draws,
      estimate: real,
      pValue: pl.p_value ?? null,
    };
    // keep results.json small: the draws are in the figure data, not twice
    if (r.placebo) (r.placebo as Record<string, unknown>).draws = undefined;
    return {
      models: [{ name: "placebo", label: "Placebo", result: r }],
      keyTerms: ["treat_post"],
      extraRows: [
        { label: "Placebo mean (sd)", cells: [`${(pl.mean ?? NaN).toFixed(4)} (${(pl.sd ?? NaN).toFixed(4)})`] },
        { label: "Randomisation p", cells: [formatP(pl.p_value, o.reps)] },
      ],
      notes: [`Real estimate ${real.toFixed(4)} (Table 1 column 2: ${base.toFixed(4)}); ${draws.length} placebo draws.`],
      figures: [fig],
    };
  },
});

export const cs = defineBlock({
  id: "cs",
  title: "Endogeneity 2: Callaway & Sant'Anna (2021)",
  section: "endogeneity",
  table: "Endogeneity 2",
  options: z.strictObject({
    ...base,
    control: z.enum(["never", "notyet"]).default("notyet"),
    method: z.enum(["dr", "ipw", "reg"]).default("dr"),
    base: z.enum(["varying", "universal"]).default("varying"),
    covariates: z.boolean().default(false),
    bootstrap: z.number().int().min(0).default(0),
  }),
  methods: (o, spec) =>
    `Callaway & Sant'Anna (2021) group-time ATTs with ${o.control === "never" ? "never-treated" : "not-yet-treated"} controls, the ${o.method === "dr" ? "doubly robust (Sant'Anna & Zhao 2020)" : o.method === "ipw" ? "inverse-probability-weighted" : "outcome-regression"} 2×2 estimator, ${o.base} base period${o.covariates ? ", with the controls as covariates" : ", no covariates"}; aggregated to the simple ATT and the dynamic (event-time), group and calendar aggregations; ${o.bootstrap ? `multiplier bootstrap (${o.bootstrap} draws)` : "analytic influence-function SEs"} clustered by ${words(spec).unit} (R did::att_gt/aggte).`,
  async run(ctx, o) {
    const r = runCs(ctx, o);
    return { models: [{ name: "cs", label: "Callaway–Sant'Anna", result: r }], keyTerms: ["ATT", "ATT::dynamic", "ATT::group", "ATT::calendar"] };
  },
});

export const sdid = defineBlock({
  id: "sdid",
  title: "Endogeneity 3: synthetic DID",
  section: "endogeneity",
  table: "Endogeneity 3",
  options: z.strictObject({
    ...base,
    method: z.enum(["sdid", "sc", "did"]).default("sdid"),
    se: z.enum(["placebo", "jackknife", "bootstrap"]).default("placebo"),
    reps: z.number().int().min(2).default(50),
  }),
  methods: (o) =>
    `Synthetic difference-in-differences (Arkhangelsky et al. 2021; staggered adoption as Stata sdid: one estimate per adoption cohort, aggregated by treated cells), method ${o.method}, ${o.se} standard errors with ${o.reps} replications (R synthdid / Stata sdid).`,
  async run(ctx, o) {
    const r = await runSdid(ctx, o);
    // staggered: one synthetic control per cohort — draw the largest cohort's trajectories and weights
    type Traj = { time: number; cohort?: number; treated: number; synthetic: number; post: boolean };
    const trajs = (r.trajectories as Traj[] | undefined) ?? [];
    const cohorts = (r.cohorts as { cohort: number; n_treated: number }[] | undefined) ?? [];
    const big = cohorts.length ? cohorts.reduce((a, b) => (b.n_treated > a.n_treated ? b : a)).cohort : undefined;
    const pick = <T extends { cohort?: number }>(xs: T[]) => (big === undefined ? xs : xs.filter((x) => x.cohort === big));
    const tr = pick(trajs);
    const trajectory = tr.length
      ? {
          times: tr.map((t) => t.time),
          treated: tr.map((t) => t.treated),
          synthetic: tr.map((t) => t.synthetic),
          treatStart: tr.find((t) => t.post)?.time ?? tr[tr.length - 1]!.time,
        }
      : null;
    const unitWeights = pick(r.unit_weights ?? []).map((u) => ({ unit: String(u.unit), weight: u.weight }));
    const timeWeights = pick(r.time_weights ?? []).map((t) => ({ time: t.time, weight: t.weight }));
    const fig: FigureData = {
      kind: "sdid",
      id: "sdid",
      title: big !== undefined ? `Synthetic DID (cohort ${big})` : "Synthetic DID",
      trajectory,
      unitWeights,
      timeWeights,
    };
    // keep results.json small: trajectories and weights are in the figure data
    delete r.trajectories;
    return { models: [{ name: "sdid", label: "Synthetic DID", result: r }], keyTerms: [o.method], figures: [fig] };
  },
});

export const bacon = defineBlock({
  id: "bacon",
  title: "Diagnostics: Goodman-Bacon decomposition",
  section: "endogeneity",
  options: z.strictObject({ ...base }),
  methods: () =>
    "Goodman-Bacon (2021) decomposition of the TWFE Treat × Post coefficient (no controls) into 2×2 comparisons (treated vs never treated, earlier vs later, later vs earlier treated) with their weights (R bacondecomp).",
  async run(ctx) {
    const r = runBacon(ctx);
    const byType = r.by_type ?? [];
    const summary = byType.map((b) => ({
      label: `${b.type} (${b.n} comparisons)`,
      value: `weight ${b.weight.toFixed(4)}, average 2×2 estimate ${b.estimate.toFixed(4)}`,
    }));
    return { models: [{ name: "bacon", label: "TWFE (no controls)", result: r }], keyTerms: ["treat_post"], extra: { summary } };
  },
});
