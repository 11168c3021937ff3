/** `keytech paths`: causal path decomposition with ordered mediators (docs/CONTRACT.md). */
import type { Command } from "commander";
import { usageError } from "../../core/errors.js";
import { sha256File } from "../../core/hash.js";
import { pathsAnalysis } from "../../analyses/paths.js";
import { action, emit, seLine } from "../run.js";
import { readMechColumns } from "../../data/mech-columns.js";
import { addData, addJson, addReps, addSeed, deprecate, splitList as list } from "../flags.js";

interface PathsFlags {
  data: string;
  y: string;
  treat: string;
  mediators: string;
  x?: string;
  time?: string;
  cluster?: string;
  model: string;
  estimator: string;
  propensity?: string;
  reps: string;
  seed: string;
  workers?: string;
  ntree?: string;
  ndpost?: string;
  nskip?: string;
  json?: boolean;
  type: string;
  interact?: boolean;
  sens?: string;
  sensGamma?: string;
  sensEta?: string;
}

const numbers = (s: string | undefined, flag: string): number[] | undefined => {
  if (s === undefined) return undefined;
  const v = s.split(",").map((x) => Number(x.trim()));
  if (v.length === 0 || v.some((x) => !Number.isFinite(x))) throw usageError(`${flag} must be a comma-separated list of numbers, got '${s}'`);
  return v;
};

const int = (s: string | undefined, flag: string, min: number): number | undefined => {
  if (s === undefined) return undefined;
  const v = Number(s);
  if (!Number.isInteger(v) || v < min) throw usageError(`${flag} must be an integer ≥ ${min}, got '${s}'`);
  return v;
};

export function registerPaths(program: Command): void {
  const cmd = addData(program.command("paths").description("causal path decomposition (Zhou & Yamamoto 2023) with ordered mediators, bootstrap inference"))
    .requiredOption("--y <col>", "outcome")
    .requiredOption("--treat <col>", "binary treatment (e.g. Treat×Post)")
    .requiredOption("--mediators <cols>", "mediators in causal order, comma separated")
    .option("--x <cols>", "pre-treatment covariates, comma separated")
    .option("--time <col>", "period column: adds period indicators to the covariates")
    .option("--cluster <col>", "resample whole clusters (units) in the bootstrap")
    .option("--model <m>", "outcome models: bart | linear", "bart")
    .option("--estimator <e>", "hybrid (imputation-based weighting) | pure (imputation)", "hybrid")
    .option("--type <t>", "decomposition type: 1 (ψ_k = E[Y(1, M̲_k(0))]) | 2 (ψ'_k = E[Y(0, M̲_k(1))])", "1")
    .option("--interact", "linear outcome models fitted separately by treatment arm (A × covariates and mediators)")
    .option("--propensity <p>", "bart (probit BART) | logit; default follows --model")
    .option("--workers <W>", "worker threads for the bootstrap (default: all cores)")
    .option("--ntree <T>", "BART trees for outcome models (default 200)")
    .option("--ndpost <D>", "BART kept posterior draws (default 1000)")
    .option("--nskip <B>", "BART burn-in (default 100)")
    .option("--sens <mediator>", "sensitivity analysis (R paths sens()) for an unobserved confounder of this mediator and Y")
    .option("--sens-gamma <values>", "γ grid, comma separated (default: 20 values on ±sd(Y))")
    .option("--sens-eta <values>", "η grid, comma separated (default: 20 values on ±sd(treat))");
  addReps(cmd, "bootstrap replications (0 = no standard errors)", "0");
  addSeed(cmd, "random seed", "1");
  addJson(cmd);
  deprecate(cmd, "--boot <N>", "--reps");
  cmd.action(
    action(async (o: PathsFlags) => {
      if (!["bart", "linear"].includes(o.model)) throw usageError(`--model must be bart or linear, got '${o.model}'`);
      if (!["hybrid", "pure"].includes(o.estimator)) throw usageError(`--estimator must be hybrid or pure, got '${o.estimator}'`);
      if (o.type !== "1" && o.type !== "2") throw usageError(`--type must be 1 or 2, got '${o.type}'`);
      if (o.interact && o.model !== "linear") throw usageError("--interact applies to --model linear (BART models interactions itself)");
      if ((o.sensGamma !== undefined || o.sensEta !== undefined) && o.sens === undefined) throw usageError("--sens-gamma/--sens-eta need --sens <mediator>");
      if (o.propensity !== undefined && !["bart", "logit"].includes(o.propensity))
        throw usageError(`--propensity must be bart or logit, got '${o.propensity}'`);
      const meds = list(o.mediators),
        xs = list(o.x);
      if (meds.length === 0) throw usageError("--mediators needs at least one column");
      if (o.sens !== undefined && !meds.includes(o.sens)) throw usageError(`--sens must name one of the mediators (${meds.join(", ")}), got '${o.sens}'`);
      const t = await readMechColumns(o.data, [o.y, o.treat, ...meds, ...xs], o.cluster ? [o.cluster] : [], o.time ? [o.time] : []);
      const num = (nm: string) => ({ name: nm, values: t.num(nm) });
      const res = await pathsAnalysis({
        y: num(o.y),
        treat: num(o.treat),
        mediators: meds.map(num),
        x: xs.map(num),
        time: o.time ? { name: o.time, values: t.label(o.time) } : null,
        cluster: o.cluster ? { name: o.cluster, values: t.label(o.cluster) } : null,
        options: {
          model: o.model as "bart",
          estimator: o.estimator as "hybrid",
          propensity: o.propensity as "bart" | undefined,
          ntree: int(o.ntree, "--ntree", 1),
          ndpost: int(o.ndpost, "--ndpost", 1),
          nskip: int(o.nskip, "--nskip", 0),
          type: o.type === "2" ? 2 : 1,
          ...(o.interact ? { interact: true } : {}),
        },
        sens: o.sens !== undefined ? { confounded: o.sens, gamma: numbers(o.sensGamma, "--sens-gamma"), eta: numbers(o.sensEta, "--sens-eta") } : null,
        boot: int(o.reps, "--reps", 0),
        seed: int(o.seed, "--seed", 0),
        workers: int(o.workers, "--workers", 1),
        file: o.data,
        inputsHash: { [o.data]: await sha256File(o.data) },
      });
      emit(res, Boolean(o.json), () => {
        const f = (v: unknown) => (typeof v === "number" && Number.isFinite(v) ? v.toFixed(4) : "NA");
        const lines = [
          `Causal paths (Type ${o.type === "2" ? "II" : "I"}, ${o.estimator}, ${o.model} models), ${res.nobs} observations`,
          `  ${"term".padEnd(28)} ${"estimate".padStart(10)} ${"std.err".padStart(10)} ${"p".padStart(8)} ${"share".padStart(9)}`,
        ];
        for (const e of res.estimates)
          lines.push(
            `  ${e.term.padEnd(28)} ${f(e.estimate).padStart(10)} ${f(e.std_error).padStart(10)} ${f(e.p_value).padStart(8)} ${(typeof e.share === "number" ? (100 * e.share).toFixed(2) + "%" : "NA").padStart(9)}`,
          );
        const sn = res.sensitivity as
          | {
              confounded: string;
              estimands: { term: string; formula: string; grid_points: number; reversed: number; adjusted_min: number; adjusted_max: number }[];
            }
          | undefined;
        if (sn) {
          lines.push(
            "",
            `Sensitivity to an unobserved confounder of ${sn.confounded} and the outcome (bias formula; grid points reversing the sign; adjusted range)`,
          );
          for (const e of sn.estimands)
            lines.push(
              `  ${e.term.padEnd(28)} ${e.formula.padEnd(22)} ${String(e.reversed).padStart(7)}/${e.grid_points}  [${f(e.adjusted_min)}, ${f(e.adjusted_max)}]`,
            );
        }
        return lines.join("\n") + "\n" + seLine(res);
      });
    }),
  );
}
