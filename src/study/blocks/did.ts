/** Blocks of the baseline: descriptive statistics, Table 1 (TWFE, 4 columns) and the event study. */
import { z } from "zod";
import type { StudySpec } from "../spec-schema.js";
import { words } from "../words.js";
import type { KeytechResult } from "../../core/result.js";
import { COMPARE_ESTIMATORS, ESTIMATOR_LABEL, csEventRows, eventPoints, type CompareEstimator } from "../../analyses/compare.js";
import { imputationEventStudy } from "../../analyses/imputation.js";
import { eventDummies, type Endpoints } from "../../analyses/event.js";
import { stackedEventStudy } from "../../analyses/stacked.js";
import { runCs, runSdidEvent, runSunab } from "./adapters.js";
import { defineBlock, NotAvailable, type BlockContext, type BlockModel, type EventPointData } from "./types.js";
import { fitTwfe } from "../../analyses/twfe-fit.js";
import { column, controls, lead, studyModel, term, treat, winsorize } from "./common.js";

const base = { enabled: z.boolean().default(true) };

export const descriptives = defineBlock({
  id: "descriptives",
  title: "Descriptive statistics",
  section: "descriptives",
  options: z.strictObject({ ...base, variables: z.array(z.string().min(1)).default([]) }),
  columns: (o) => o.variables,
  methods: (_o, spec) =>
    `Mean, standard deviation, minimum, maximum and number of non-missing ${words(spec).cells} of the outcome, the treatment indicator and every control, on the full panel.`,
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

const BASELINE_COLUMNS = ["fe_only", "controls", "winsorized", "lead", "poisson"] as const;
/** The paper's four columns (the default); "poisson" adds the count model (fepois with controls). */
const DEFAULT_BASELINE = ["fe_only", "controls", "winsorized", "lead"] as const;

export const baseline = defineBlock({
  id: "baseline",
  title: "Baseline: staggered TWFE DID",
  section: "baseline",
  table: "Table 1",
  options: z.strictObject({
    ...base,
    columns: z
      .array(z.enum(BASELINE_COLUMNS))
      .min(1)
      .default([...DEFAULT_BASELINE]),
    winsor: z.number().gt(0).lt(0.5).default(0.05),
    lead: z.number().int().min(1).max(5).default(1),
  }),
  methods: (o, spec) => {
    const w = words(spec);
    return `Two-way fixed-effects difference-in-differences${w.paper("eq. 1")}: ${w.outcome} on Treat × Post (= 1 from the ${w.time} a ${w.unit} enters the ${w.treatment}) with ${w.unit} and ${w.time} fixed effects, estimated by OLS after demeaning on both fixed effects (fixest feols / reghdfe); standard errors clustered by ${spec.model.cluster} with fixest's small-sample correction and t(G−1) inference. Columns: ${o.columns.join(", ")}; the winsorised column caps the outcome at the ${o.winsor * 100}% and ${(1 - o.winsor) * 100}% quantiles; the lead column uses the outcome ${o.lead} ${w.time}(s) ahead${o.columns.includes("poisson") ? `; the Poisson column is the count model (PPML, fixest fepois: E[y] = exp(β·Treat × Post + controls + ${w.unit} and ${w.time} effects), ${w.unit}s whose outcome is always 0 dropped, clustered SEs with z inference; β is a semi-elasticity: exp(β) − 1 is the proportional effect)` : ""}. Controls: ${spec.model.controls.map(w.v).join(", ") || "none"}.`;
  },
  async run(ctx, o) {
    const y = column(ctx.data, ctx.spec.outcome.column);
    const X = controls(ctx);
    const models: BlockModel[] = [];
    const labels: Record<string, string> = {
      fe_only: "FE only",
      controls: "Controls",
      winsorized: `Winsorised ${o.winsor * 100}%`,
      lead: `Lead ${o.lead}`,
      poisson: "Poisson (PPML)",
    };
    const warnings: string[] = [];
    const done: (typeof o.columns)[number][] = [];
    for (const c of o.columns) {
      const yy = c === "winsorized" ? winsorize(y, o.winsor) : c === "lead" ? lead(ctx.data, y, o.lead) : y;
      const x = c === "fe_only" ? [treat(ctx)] : [treat(ctx), ...X];
      try {
        const result = fitTwfe(ctx.data.panel, {
          y: yy,
          yName: ctx.spec.outcome.column,
          x,
          command: c === "poisson" ? "fepois" : "did twfe",
          options: { column: c },
          ...(c === "poisson" ? { family: "poisson" as const } : {}),
        });
        done.push(c);
        models.push({ name: c, label: `(${done.length}) ${labels[c]}`, result });
      } catch (e) {
        // one column that cannot be estimated (e.g. a winsorised count that is constant) leaves the others
        warnings.push(`column "${labels[c]}" not estimated: ${(e as Error).message.split("\n")[0]}`);
      }
    }
    if (!models.length) throw new Error(warnings.join("; "));
    return {
      models,
      keyTerms: ["treat_post"],
      extraRows: [
        { label: "Controls", cells: done.map((c) => (c === "fe_only" || X.length === 0 ? "no" : "yes")) },
        { label: `${cap(words(ctx.spec).unit)} FE / ${cap(words(ctx.spec).time)} FE`, cells: done.map(() => "yes / yes") },
      ],
      warnings,
    };
  },
});

/** The event-study estimators: the staggered five, and synthetic DID by event time (Clarke et al. 2023's sdid_event). */
const ESTIMATORS = [...COMPARE_ESTIMATORS, "sdid"] as const;
type Estimator = CompareEstimator | "sdid";
const EVENT_LABEL: Record<Estimator, string> = { ...ESTIMATOR_LABEL, sdid: "Synthetic DID" };

/** Concurrent programs that can enter the event study as controls, and their panel indicator columns. */
export const POLICY_CONTROLS = ["broadband", "smart_city", "nondigital"] as const;
type Policy = (typeof POLICY_CONTROLS)[number];
const POLICY_COLUMN: Record<Policy, string> = { broadband: "broadband", smart_city: "smart_city", nondigital: "nondigital_post" };
function cap(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** A concurrent program's name as the policy list spells it (inputs.policies.programs). */
function policyName(spec: StudySpec, p: Policy): string {
  return (spec.inputs.policies?.programs[p] ?? p).replaceAll("_", " ");
}

/** The indicator columns of the chosen programs (each must be declared in inputs.policies.programs). */
function policyColumns(ctx: BlockContext, list: Policy[]): string[] {
  return list.map((p) => {
    const c = POLICY_COLUMN[p];
    if (!ctx.data.num[c]) throw new NotAvailable(`policy control "${p}" needs inputs.policies.programs.${p} (the program's name in the policy list)`);
    return c;
  });
}

/** The block context with extra columns appended to the main model's controls. */
function withControls(ctx: BlockContext, names: string[]): BlockContext {
  if (!names.length) return ctx;
  return { ...ctx, spec: { ...ctx.spec, model: { ...ctx.spec.model, controls: [...ctx.spec.model.controls, ...names] } } };
}

/**
 * Outcome net of the concurrent policies, for Callaway–Sant'Anna (its covariates enter at the base period,
 * so time-varying indicators cannot be controlled for there): γ from y ~ policies + controls | unit + time
 * on the untreated rows (treat_post = 0; the first step of the imputation estimator), then y − Σ_p γ_p·P_p.
 */
function netOfPolicies(ctx: BlockContext, cols: string[]): { ctx: BlockContext; gamma: Record<string, number> } {
  const yName = ctx.spec.outcome.column;
  const y = column(ctx.data, yName);
  const mask = Uint8Array.from(column(ctx.data, "treat_post"), (d) => (d === 0 ? 1 : 0));
  const P = cols.map((c) => ({ name: c, values: column(ctx.data, c) }));
  const fit = fitTwfe(ctx.data.panel, { y, yName, x: [...P, ...controls(ctx)], mask, command: "did twfe", options: { sample: "untreated" } });
  const gamma: Record<string, number> = {};
  for (const c of cols) gamma[c] = term(fit, c)?.estimate ?? 0;
  const adj = Float64Array.from(y, (v, i) => P.reduce((s, p) => s - gamma[p.name]! * p.values[i]!, v));
  const name = `${yName}_net_of_policies`;
  return {
    ctx: { ...ctx, data: { ...ctx.data, num: { ...ctx.data.num, [name]: adj } }, spec: { ...ctx.spec, outcome: { ...ctx.spec.outcome, column: name } } },
    gamma,
  };
}

function eventStudyBlock(id: string, title: string, table: string, policies: Policy[]) {
  return defineBlock({
    id,
    title,
    section: "robustness",
    table,
    options: z.strictObject({
      ...base,
      window: z.tuple([z.number().int(), z.number().int()]).default([-4, 5]),
      ref: z.number().int().default(-1),
      endpoints: z.enum(["bin", "trim", "none"]).default("bin"),
      estimators: z
        .array(z.enum(ESTIMATORS))
        .min(1)
        .default([...COMPARE_ESTIMATORS]),
      /** placebo replications for the synthetic-DID event-time SEs */
      sdid_reps: z.number().int().min(2).default(50),
      /** concurrent programs whose indicators enter as controls */
      policy_controls: z.array(z.enum(POLICY_CONTROLS)).default(policies),
    }),
    methods: (o, spec) =>
      `Event study${words(spec).paper("eq. 4")}: ${spec.outcome.label} on indicators of ${words(spec).time}s relative to the start of the ${words(spec).treatment}, ${o.window[0]}…${o.window[1]} with ${o.ref} as the reference period (endpoints: ${o.endpoints}), never-treated ${words(spec).units} without indicators, controls, ${words(spec).unit} and ${words(spec).time} fixed effects, SEs clustered by ${spec.model.cluster}; 95% confidence intervals. Overlaid estimators robust to heterogeneous effects: ${o.estimators.join(", ")} (Callaway & Sant'Anna 2021 dynamic aggregation; Sun & Abraham 2021 interaction-weighted; Borusyak, Jaravel & Spiess 2024 imputation; stacked DID after Cengiz et al. 2019 / Wing et al. 2024).` +
      (o.policy_controls.length
        ? ` Concurrent-policy controls: indicators of ${o.policy_controls.map((p) => policyName(spec, p)).join(", ")} (1 from each program's start) enter TWFE, Sun–Abraham, imputation and stacked DID as regressors; for Callaway–Sant'Anna, whose covariates are fixed at the base period, the outcome is first netted of their effects estimated on the untreated ${words(spec).cells} (outcome on the indicators and controls with ${words(spec).unit} and ${words(spec).time} fixed effects, rows with Treat × Post = 0; the SEs do not include this first step).`
        : " No control for concurrent programs."),
    async run(ctx, o) {
      const [lo, hi] = o.window;
      const policyCols = policyColumns(ctx, o.policy_controls);
      const pctx = withControls(ctx, policyCols);
      const series: { estimator: string; points: EventPointData[] }[] = [];
      const models: BlockModel[] = [];
      const notes: string[] = [];
      for (const est of o.estimators) {
        try {
          let r: KeytechResult;
          if (est === "cs" && policyCols.length) {
            const net = netOfPolicies(ctx, policyCols);
            notes.push(
              `${ESTIMATOR_LABEL.cs}: outcome netted of ${policyCols.map((c) => `${c} ${net.gamma[c]!.toFixed(3)}`).join(", ")} (effects estimated on the untreated ${words(ctx.spec).cells}).`,
            );
            r = await eventByAnalysis(net.ctx, est, lo, hi, o.ref, o.endpoints, o.sdid_reps);
          } else if (est === "sdid" && policyCols.length) {
            const net = netOfPolicies(ctx, policyCols);
            r = await eventByAnalysis(net.ctx, est, lo, hi, o.ref, o.endpoints, o.sdid_reps);
          } else {
            r = await eventByAnalysis(pctx, est, lo, hi, o.ref, o.endpoints, o.sdid_reps);
          }
          models.push({ name: est, label: EVENT_LABEL[est], result: r });
          series.push({ estimator: EVENT_LABEL[est], points: eventPoints(r.estimates, o.ref, lo, hi) });
        } catch (e) {
          if (e instanceof NotAvailable) notes.push(`${EVENT_LABEL[est]}: not available (${e.message}).`);
          else notes.push(`${EVENT_LABEL[est]}: failed (${(e as Error).message}).`);
        }
      }
      if (!models.length) throw new NotAvailable(notes.join(" "));
      const keyTerms: string[] = [];
      for (let k = lo; k <= hi; k++) if (k !== o.ref) keyTerms.push(`rel::${k}`);
      const suffix = policyCols.length ? ", controlling for concurrent policies" : "";
      return {
        models,
        keyTerms,
        notes,
        figures: [
          {
            kind: "event",
            id,
            title: `Event study: effect on ${ctx.spec.outcome.label} by ${words(ctx.spec).time} relative to the start of the ${words(ctx.spec).treatment}${suffix}`,
            series,
          },
        ],
        extra: { policy_controls: policyCols },
      };
    },
  });
}

export const eventStudy = eventStudyBlock("event_study", "Robustness 1: event study (dynamic effects)", "Robustness 1", []);
export const eventStudyPolicies = eventStudyBlock("event_study_policies", "Robustness 1b: event study controlling for concurrent policies", "Robustness 1b", [
  ...POLICY_CONTROLS,
]);

/** TWFE event-study dummies rel::k (k in [lo, hi] except ref) and the rows kept (trim drops treated rows outside). */
function twfeEventDesign(
  ctx: BlockContext,
  lo: number,
  hi: number,
  ref: number,
  mode: Endpoints,
): { x: { name: string; values: Float64Array }[]; mask: Uint8Array } {
  const rel = ctx.data.num.rel_time!;
  const mask = new Uint8Array(ctx.data.n).fill(1);
  if (mode === "trim") for (let i = 0; i < ctx.data.n; i++) if (Number.isFinite(rel[i]!) && (rel[i]! < lo || rel[i]! > hi)) mask[i] = 0;
  return { x: eventDummies(rel, [ref], [lo, hi], mode), mask };
}

/** Event-time estimates (terms rel::k) of one estimator on the study panel. */
async function eventByAnalysis(
  ctx: BlockContext,
  est: Estimator,
  lo: number,
  hi: number,
  ref: number,
  endpoints: Endpoints,
  sdidReps = 50,
): Promise<KeytechResult> {
  switch (est) {
    case "sdid":
      return runSdidEvent(ctx, { reps: sdidReps, pre: -lo, post: hi + 1 });
    case "twfe": {
      const { x, mask } = twfeEventDesign(ctx, lo, hi, ref, endpoints);
      return fitTwfe(ctx.data.panel, {
        y: column(ctx.data, ctx.spec.outcome.column),
        yName: ctx.spec.outcome.column,
        x: [...x, ...controls(ctx)],
        mask,
        command: "did event",
        options: { window: [lo, hi], ref, endpoints },
      });
    }
    case "cs": {
      const co = (ctx.spec.blocks as Record<string, Record<string, unknown> | undefined>).cs ?? {};
      const r = runCs(ctx, {
        control: (co.control as "never" | "notyet") ?? "notyet",
        method: (co.method as "dr") ?? "dr",
        base: (co.base as "varying") ?? "varying",
        covariates: (co.covariates as boolean) ?? false,
        bootstrap: 0,
      });
      return { ...r, command: "did cs (dynamic aggregation)", estimates: [...csEventRows(r), ...r.estimates] };
    }
    case "sunab":
      return runSunab(ctx, ref);
    case "imputation":
      return imputationEventStudy({ panel: ctx.data.panel, model: studyModel(ctx), window: [lo, hi], ref });
    case "stacked":
      return stackedEventStudy({ panel: ctx.data.panel, model: studyModel(ctx), window: [lo, hi], ref });
  }
}
