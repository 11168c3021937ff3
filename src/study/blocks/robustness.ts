/** Robustness checks 2–8 of the reference study (check 1, the event study, is in did.ts). */
import { z } from "zod";
import { words } from "../words.js";
import { defineBlock, NotAvailable, notAvailable, type BlockModel } from "./types.js";
import { fitTwfe } from "../../analyses/twfe-fit.js";
import { column, columnsOrMeasured, controls, firstPrincipalComponent, studyModel, treat } from "./common.js";
import { runDdd } from "./adapters.js";
import { stackedDid } from "../../analyses/stacked.js";

const base = { enabled: z.boolean().default(true) };

export const altOutcomes = defineBlock({
  id: "alt_outcomes",
  title: "Robustness 2: alternative outcomes",
  section: "robustness",
  table: "Robustness 2",
  options: z.strictObject({ ...base, outcomes: z.array(z.string().min(1)).default([]) }),
  columns: (o) => o.outcomes,
  methods: (o, spec) =>
    `The baseline model with controls (Table 1 column 2) re-estimated with the alternative outcomes ${o.outcomes.map(words(spec).v).join(", ") || (spec.inputs.patents ? "ln(1 + key-digital patents) and ln(1 + citations received), measured from the patents" : "(none given)")}; ${words(spec).unit} and ${words(spec).time} fixed effects, SEs clustered by ${spec.model.cluster}.`,
  async run(ctx, o) {
    o = { ...o, outcomes: columnsOrMeasured(ctx, o.outcomes, ["keytech_count", "cite_quality"], "blocks.alt_outcomes.outcomes", "alternative outcomes") };
    const models: BlockModel[] = o.outcomes.map((y, j) => ({
      name: y,
      label: `(${j + 1}) ${words(ctx.spec).v(y)}`,
      result: fitTwfe(ctx.data.panel, { y: column(ctx.data, y), yName: y, x: [treat(ctx), ...controls(ctx)], command: "did twfe", options: { outcome: y } }),
    }));
    return { models, keyTerms: ["treat_post"] };
  },
});

export const digitalIndex = defineBlock({
  id: "digital_index",
  title: "Robustness 3: controlling for an index (first principal component)",
  section: "robustness",
  table: "Robustness 3",
  options: z.strictObject({ ...base, columns: z.array(z.string().min(1)).default([]) }),
  columns: (o) => o.columns,
  methods: (o, spec) =>
    `Adds a digital-economy index of each ${words(spec).unit} — the first principal component of the standardised ${o.columns.map(words(spec).v).join(", ")} — to the baseline model with controls.`,
  async run(ctx, o) {
    if (o.columns.length < 2) notAvailable("the digital-economy index needs at least two panel columns in blocks.digital_index.columns");
    const pc = firstPrincipalComponent(o.columns.map((c) => column(ctx.data, c)));
    const r = fitTwfe(ctx.data.panel, {
      y: column(ctx.data, ctx.spec.outcome.column),
      yName: ctx.spec.outcome.column,
      x: [treat(ctx), ...controls(ctx), { name: "digital_index", values: pc.score }],
      command: "did twfe",
      options: { digital_index: o.columns },
    });
    return {
      models: [{ name: "digital_index", label: "(1) + digital index", result: r }],
      keyTerms: ["treat_post", "digital_index"],
      notes: [
        `First principal component explains ${(pc.share * 100).toFixed(1)}% of the variance; loadings ${pc.loadings.map((l) => l.toFixed(3)).join(", ")}.`,
      ],
    };
  },
});

export const countyTrends = defineBlock({
  id: "county_trends",
  title: "Robustness 4: unit-specific linear time trends",
  section: "robustness",
  table: "Robustness 4",
  options: z.strictObject({ ...base }),
  methods: (_o, spec) =>
    `The baseline model with controls plus a linear time trend for every ${words(spec).unit} (fixest \`${spec.inputs.panel.unit}[${spec.inputs.panel.time}]\` varying slopes), absorbed together with the ${words(spec).unit} and ${words(spec).time} fixed effects.`,
  async run(ctx) {
    const r = fitTwfe(ctx.data.panel, {
      y: column(ctx.data, ctx.spec.outcome.column),
      yName: ctx.spec.outcome.column,
      x: [treat(ctx), ...controls(ctx)],
      unitTrends: true,
      command: "did twfe",
      options: { unit_trends: true },
    });
    return { models: [{ name: "trends", label: "(1) Unit trends", result: r }], keyTerms: ["treat_post"] };
  },
});

export const stacked = defineBlock({
  id: "stacked",
  title: "Robustness 5: stacked DID",
  section: "robustness",
  table: "Robustness 5",
  options: z.strictObject({
    ...base,
    window: z.tuple([z.number().int(), z.number().int()]).default([-4, 5]),
    weighting: z.enum(["weighted", "unweighted"]).default("weighted"),
  }),
  methods: (o, spec) =>
    `Stacked difference-in-differences: one sub-experiment per adoption cohort with clean controls (never treated or treated after the window ${o.window[0]}…${o.window[1]}), stacked with unit × stack and time × stack fixed effects, ${o.weighting === "weighted" ? "Wing, Freedman & Hollingsworth (2024) corrective weights" : "unweighted (Cengiz et al. 2019)"}, SEs clustered by ${words(spec).unit}. Cohorts whose window leaves the observed ${words(spec).time}s are dropped (listed in the warnings).`,
  async run(ctx, o) {
    const r = stackedDid({ panel: ctx.data.panel, model: studyModel(ctx), window: o.window, weighting: o.weighting });
    const terms = ["avg_post"];
    for (let e = o.window[0]; e <= o.window[1]; e++) if (e !== -1) terms.push(`rel::${e}`);
    return { models: [{ name: "stacked", label: "(1) Stacked DID", result: r }], keyTerms: terms };
  },
});

const PROGRAMS = ["broadband", "smart_city"] as const;

export const otherPolicies = defineBlock({
  id: "other_policies",
  title: "Robustness 6: concurrent policies",
  section: "robustness",
  table: "Robustness 6",
  options: z.strictObject({
    ...base,
    programs: z
      .array(z.enum(PROGRAMS))
      .min(1)
      .default([...PROGRAMS]),
  }),
  methods: (o, spec) =>
    `The baseline model with controls plus the indicators of the concurrent programs (${o.programs.map((p) => (p === "broadband" ? spec.inputs.policies?.programs.broadband : spec.inputs.policies?.programs.smart_city) ?? p).join(", ")}; 1 from each program's start in the ${words(spec).unit}) and their interactions with Treat × Post.`,
  async run(ctx, o) {
    const models: BlockModel[] = [];
    const D = column(ctx.data, "treat_post");
    const sets: (typeof PROGRAMS)[number][][] = o.programs.length > 1 ? [...o.programs.map((p) => [p]), [...o.programs]] : [[...o.programs]];
    sets.forEach((set, j) => {
      const x = [treat(ctx), ...controls(ctx)];
      for (const p of set) {
        const v = ctx.data.num[p];
        if (!v) throw new NotAvailable(`program "${p}" is not declared in inputs.policies.programs (the other programs of the policy list)`);
        x.push({ name: p, values: v }, { name: `treat_post:${p}`, values: Float64Array.from(v, (b, i) => b * D[i]!) });
      }
      models.push({
        name: set.join("+"),
        label: `(${j + 1}) ${set.map(words(ctx.spec).v).join(" + ")}`,
        result: fitTwfe(ctx.data.panel, {
          y: column(ctx.data, ctx.spec.outcome.column),
          yName: ctx.spec.outcome.column,
          x,
          command: "did twfe",
          options: { programs: set },
        }),
      });
    });
    return { models, keyTerms: ["treat_post", ...o.programs.flatMap((p) => [p, `treat_post:${p}`])] };
  },
});

export const ddd = defineBlock({
  id: "ddd",
  title: "Robustness 7: triple difference with a second treated group",
  section: "robustness",
  table: "Robustness 7",
  options: z.strictObject({ ...base }),
  methods: (_o, spec) =>
    `Triple difference (METHODS §4.6): Y = β·Program × Post × Treated group + γ·Program × Post + controls | ${words(spec).unit} + ${words(spec).time}, where Program × Post switches on for every ${words(spec).unit} of either program (${spec.inputs.policies?.programs.treated ?? words(spec).treatment} or ${spec.inputs.policies?.programs.nondigital ?? "a second treated group, not given"}) from its start; β (Program × Post × Treated group) is the extra effect of the ${words(spec).treatment} over the second group, γ the effect of either program, and β + γ the treated group's total effect; SEs clustered by ${words(spec).unit}.`,
  async run(ctx) {
    if (!ctx.data.num.nondigital_post) throw new NotAvailable("the triple difference needs a second treated group: inputs.policies.programs.nondigital");
    const r = await runDdd(ctx);
    return {
      models: [{ name: "ddd", label: "(1) DDD", result: r }],
      keyTerms: ["treat_post", "pilot_post", "digital_total"],
      termLabels: {
        treat_post: "Program × Post × Treated group",
        pilot_post: "Program × Post (either group)",
        digital_total: "Total effect of the treated group",
      },
    };
  },
});

const SAMPLES = ["no_municipalities", "no_reform_zones", "no_both"] as const;

export const exclusions = defineBlock({
  id: "exclusions",
  title: "Robustness 8: sample exclusions",
  section: "robustness",
  table: "Robustness 8",
  options: z.strictObject({
    ...base,
    samples: z
      .array(z.enum(SAMPLES))
      .min(1)
      .default([...SAMPLES]),
  }),
  methods: (o, spec) =>
    `The baseline model with controls on restricted samples: ${o.samples.map((s) => s.replaceAll("_", " ")).join("; ")} (the ${words(spec).units} flagged in inputs.units: ${
      Object.entries(spec.inputs.units?.flags ?? {})
        .map(([k, c]) => `${k.replaceAll("_", " ")} = ${c}`)
        .join(", ") || "none"
    }).`,
  async run(ctx, o) {
    const mu = ctx.data.num.municipality,
      rz = ctx.data.num.reform_zone;
    const models: BlockModel[] = o.samples.map((s, j) => {
      const mask = new Uint8Array(ctx.data.n);
      for (let i = 0; i < ctx.data.n; i++) {
        const m = (mu?.[i] ?? 0) === 1,
          r = (rz?.[i] ?? 0) === 1;
        mask[i] = s === "no_municipalities" ? +!m : s === "no_reform_zones" ? +!r : +!(m || r);
      }
      if ((s !== "no_reform_zones" && !mu) || (s !== "no_municipalities" && !rz))
        throw new NotAvailable(`sample "${s}" needs inputs.units with flags (municipality / reform_zone)`);
      return {
        name: s,
        label: `(${j + 1}) ${s.replaceAll("_", " ")}`,
        result: fitTwfe(ctx.data.panel, {
          y: column(ctx.data, ctx.spec.outcome.column),
          yName: ctx.spec.outcome.column,
          x: [treat(ctx), ...controls(ctx)],
          mask,
          command: "did twfe",
          options: { sample: s },
        }),
      };
    });
    return { models, keyTerms: ["treat_post"] };
  },
});
