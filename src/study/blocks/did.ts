/** Blocks of the baseline: descriptive statistics, Table 1 (TWFE, 4 columns) and the event study. */
import { z } from "zod";
import type { EstimateRow, KeytechResult } from "../../core/result.js";
import { runCs, runImputation, runSunab } from "./adapters.js";
import { defineBlock, NotAvailable, type BlockContext, type BlockModel, type EventPointData } from "./types.js";
import { column, controls, fitTwfe, lead, treat, winsorize, analysis, exported } from "./common.js";

const base = { enabled: z.boolean().default(true) };

export const descriptives = defineBlock({
  id: "descriptives",
  title: "Descriptive statistics",
  section: "descriptives",
  options: z.strictObject({ ...base, variables: z.array(z.string().min(1)).default([]) }),
  columns: (o) => o.variables,
  methods: () => "Mean, standard deviation, minimum, maximum and number of non-missing county-years of the outcome, the treatment indicator and every control, on the full panel.",
  async run(ctx, o) {
    const vars = [ctx.spec.outcome.column, "treat_post", ...ctx.spec.model.controls, ...o.variables.filter((v) => !ctx.spec.model.controls.includes(v))];
    const rows = vars.map((v) => {
      const x = Array.from(column(ctx.data, v)).filter(Number.isFinite);
      const n = x.length;
      const m = x.reduce((a, b) => a + b, 0) / n;
      const sd = Math.sqrt(x.reduce((a, b) => a + (b - m) ** 2, 0) / (n - 1));
      return { variable: v, n, mean: m, sd, min: Math.min(...x), max: Math.max(...x) };
    });
    return { models: [], extra: { descriptives: rows, units: ctx.data.units.length, periods: ctx.data.times.length, treated_units: countTreated(ctx) } };
  },
});

function countTreated(ctx: BlockContext): number {
  const c = ctx.data.num.cohort!;
  const seen = new Set<number>();
  for (let i = 0; i < ctx.data.n; i++) if (c[i]! > 0) seen.add(ctx.data.unitCodes[i]!);
  return seen.size;
}

const BASELINE_COLUMNS = ["fe_only", "controls", "winsorized", "lead"] as const;

export const baseline = defineBlock({
  id: "baseline",
  title: "Baseline: staggered TWFE DID",
  section: "baseline",
  table: "Table 1",
  options: z.strictObject({
    ...base,
    columns: z.array(z.enum(BASELINE_COLUMNS)).min(1).default([...BASELINE_COLUMNS]),
    winsor: z.number().gt(0).lt(0.5).default(0.05),
    lead: z.number().int().min(1).max(5).default(1),
  }),
  methods: (o, spec) =>
    `Two-way fixed-effects difference-in-differences (paper eq. 1): ${spec.outcome.label} on Treat×Post (= 1 from the approval year of a digital cluster pilot) with county and year fixed effects, estimated by OLS after demeaning on both fixed effects (fixest feols / reghdfe); standard errors clustered by ${spec.model.cluster} with fixest's small-sample correction and t(G−1) inference. Columns: ${o.columns.join(", ")}; the winsorised column caps the outcome at the ${o.winsor * 100}% and ${(1 - o.winsor) * 100}% quantiles; the lead column uses the outcome ${o.lead} year(s) ahead. Controls: ${spec.model.controls.join(", ") || "none"}.`,
  async run(ctx, o) {
    const y = column(ctx.data, ctx.spec.outcome.column);
    const X = controls(ctx);
    const models: BlockModel[] = [];
    const labels: Record<string, string> = { fe_only: "FE only", controls: "Controls", winsorized: `Winsorised ${o.winsor * 100}%`, lead: `Lead ${o.lead}` };
    o.columns.forEach((c, j) => {
      const yy = c === "winsorized" ? winsorize(y, o.winsor) : c === "lead" ? lead(ctx.data, y, o.lead) : y;
      const x = c === "fe_only" ? [treat(ctx)] : [treat(ctx), ...X];
      models.push({ name: c, label: `(${j + 1}) ${labels[c]}`, result: fitTwfe(ctx, { y: yy, yName: ctx.spec.outcome.column, x, command: "did twfe", options: { column: c } }) });
    });
    return {
      models,
      keyTerms: ["treat_post"],
      extraRows: [
        { label: "Controls", cells: o.columns.map((c) => (c === "fe_only" ? "no" : "yes")) },
        { label: "County FE / Year FE", cells: o.columns.map(() => "yes / yes") },
      ],
    };
  },
});

const ESTIMATORS = ["twfe", "cs", "sunab", "imputation", "stacked"] as const;

/** Event-study dummies rel::k, k in [lo, hi] \ {ref}; endpoints binned when `bin`. */
function eventDummies(ctx: BlockContext, lo: number, hi: number, ref: number, mode: "bin" | "trim" | "none"): { x: { name: string; values: Float64Array }[]; mask: Uint8Array } {
  const rel = ctx.data.num.rel_time!;
  const n = ctx.data.n;
  const mask = new Uint8Array(n).fill(1);
  const x: { name: string; values: Float64Array }[] = [];
  for (let k = lo; k <= hi; k++) {
    if (k === ref) continue;
    const v = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const r = rel[i]!;
      if (!Number.isFinite(r)) continue;
      const rb = mode === "bin" ? Math.min(hi, Math.max(lo, r)) : r;
      if (rb === k) v[i] = 1;
    }
    x.push({ name: `rel::${k}`, values: v });
  }
  if (mode === "trim") for (let i = 0; i < n; i++) if (Number.isFinite(rel[i]!) && (rel[i]! < lo || rel[i]! > hi)) mask[i] = 0;
  return { x, mask };
}

function pointsFrom(r: KeytechResult, ref: number, lo: number, hi: number): EventPointData[] {
  const pts: EventPointData[] = [];
  for (const e of r.estimates) {
    const m = /^rel::(-?\d+)$/.exec(e.term);
    if (!m) continue;
    const k = Number(m[1]);
    if (k < lo || k > hi || e.estimate === null) continue;
    pts.push({ rel: k, estimate: e.estimate, lo: e.conf_low ?? NaN, hi: e.conf_high ?? NaN });
  }
  if (!pts.some((p) => p.rel === ref)) pts.push({ rel: ref, estimate: 0, lo: 0, hi: 0 });
  return pts.sort((a, b) => a.rel - b.rel);
}

export const eventStudy = defineBlock({
  id: "event_study",
  title: "Robustness 1: event study (dynamic effects)",
  section: "robustness",
  table: "Robustness 1",
  options: z.strictObject({
    ...base,
    window: z.tuple([z.number().int(), z.number().int()]).default([-4, 5]),
    ref: z.number().int().default(-1),
    endpoints: z.enum(["bin", "trim", "none"]).default("bin"),
    estimators: z.array(z.enum(ESTIMATORS)).min(1).default([...ESTIMATORS]),
  }),
  methods: (o, spec) =>
    `Event study (paper eq. 4): ${spec.outcome.label} on indicators of years relative to pilot approval, ${o.window[0]}…${o.window[1]} with ${o.ref} as the reference period (endpoints: ${o.endpoints}), never-treated counties without indicators, controls, county and year fixed effects, SEs clustered by ${spec.model.cluster}; 95% confidence intervals. Overlaid estimators robust to heterogeneous effects: ${o.estimators.join(", ")} (Callaway & Sant'Anna 2021 dynamic aggregation; Sun & Abraham 2021 interaction-weighted; Borusyak, Jaravel & Spiess 2024 imputation; stacked DID after Cengiz et al. 2019 / Wing et al. 2024).`,
  async run(ctx, o) {
    const [lo, hi] = o.window;
    const series: { estimator: string; points: EventPointData[] }[] = [];
    const models: BlockModel[] = [];
    const notes: string[] = [];
    for (const est of o.estimators) {
      try {
        let r: KeytechResult;
        if (est === "twfe") {
          const { x, mask } = eventDummies(ctx, lo, hi, o.ref, o.endpoints);
          r = fitTwfe(ctx, { y: column(ctx.data, ctx.spec.outcome.column), yName: ctx.spec.outcome.column, x: [...x, ...controls(ctx)], mask, command: "did event", options: { window: o.window, ref: o.ref, endpoints: o.endpoints } });
        } else {
          r = await eventByAnalysis(ctx, est, lo, hi, o.ref);
        }
        models.push({ name: est, label: LABEL[est], result: r });
        series.push({ estimator: LABEL[est], points: pointsFrom(r, o.ref, lo, hi) });
      } catch (e) {
        if (e instanceof NotAvailable) notes.push(`${LABEL[est]}: not available (${e.message}).`);
        else notes.push(`${LABEL[est]}: failed (${(e as Error).message}).`);
      }
    }
    if (!models.length) throw new NotAvailable(notes.join(" "));
    const keyTerms: string[] = [];
    for (let k = lo; k <= hi; k++) if (k !== o.ref) keyTerms.push(`rel::${k}`);
    return { models, keyTerms, notes, figures: [{ kind: "event", id: "event_study", title: `Event study: effect on ${ctx.spec.outcome.label} by year relative to approval`, series }] };
  },
});

const LABEL: Record<(typeof ESTIMATORS)[number], string> = { twfe: "TWFE", cs: "Callaway–Sant'Anna", sunab: "Sun–Abraham", imputation: "Imputation (BJS)", stacked: "Stacked" };

/** Event-time estimates from the other staggered-DID analyses, as a result with terms rel::k. */
async function eventByAnalysis(ctx: BlockContext, est: string, lo: number, hi: number, ref: number): Promise<KeytechResult> {
  switch (est) {
    case "cs": {
      const co = (ctx.spec.blocks as Record<string, Record<string, unknown> | undefined>).cs ?? {};
      const r = runCs(ctx, { control: (co.control as "never" | "notyet") ?? "notyet", method: (co.method as "dr") ?? "dr", base: (co.base as "varying") ?? "varying", covariates: (co.covariates as boolean) ?? false, bootstrap: 0 });
      const by = ((r.aggregations as { dynamic?: { by?: { e: number; estimate: number | null; std_error: number | null; conf_low: number | null; conf_high: number | null }[] } } | undefined)?.dynamic?.by) ?? [];
      const rows: EstimateRow[] = by.map((b) => ({ term: `rel::${b.e}`, estimate: b.estimate, std_error: b.std_error, statistic: b.estimate != null && b.std_error ? b.estimate / b.std_error : null, p_value: null, conf_low: b.conf_low, conf_high: b.conf_high }));
      return { ...r, command: "did cs (dynamic aggregation)", estimates: [...rows, ...r.estimates] };
    }
    case "sunab":
      return runSunab(ctx, ref);
    case "imputation": {
      const hz: number[] = [];
      for (let e = 0; e <= hi; e++) hz.push(e);
      const r = await runImputation(ctx, hz, Math.max(0, -lo));
      const pre = ((r.pretrends as { estimates?: EstimateRow[] } | undefined)?.estimates ?? []).map((e) => ({ ...e, term: e.term.replace(/^pre::-?(\d+)$/, "rel::-$1") }));
      return { ...r, estimates: [...pre, ...r.estimates] };
    }
    default: {
      const mod = await analysis(est);
      const fn = exported<(input: unknown) => Promise<KeytechResult> | KeytechResult>(mod, `${est}EventStudy`, est);
      return await fn({ ctx, window: [lo, hi], ref });
    }
  }
}
