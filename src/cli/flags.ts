/**
 * The flags of every command, in one place: one name per concept (docs/CONTRACT.md, "Option names"),
 * fixest's names where a fixest user expects them (`--vcov`, `--cluster`, `--ref`, `--level`), the old
 * names as hidden deprecated aliases, and option validation with zod into typed option objects (bad
 * values are usage errors, exit 2, naming the flag and the command).
 */
import { Option, type Command } from "commander";
import { z } from "zod";
import { printable, usageError } from "../core/errors.js";
import { parseFormula } from "../formula/parse.js";
import { loadMapping, withOverrides, type ColumnMapping } from "../patents/mapping.js";
import type { RegressionOptions } from "../analyses/model-input.js";
import type { DidColumns } from "../analyses/did-prep.js";
import type { DidColumns as StaggeredColumns } from "../analyses/imputation.js";
import { err } from "./io.js";

// ---------------------------------------------------------------------------------------------------
// Deprecated aliases

interface Deprecation {
  /** "--se" */
  old: string;
  oldKey: string;
  /** the flags that replace it */
  neu: string[];
  /** "use …" text of the warning */
  hint: string;
  /** old value → new flag values; `undefined` = the command still reads the old flag itself */
  map?: (v: string | boolean, aliased: (flag: string) => string | undefined) => Record<string, string | boolean>;
}

const DEPRECATIONS = new WeakMap<Command, Deprecation[]>();

/**
 * Register `flags` (e.g. "--se <m>") as a hidden deprecated alias of `neu`. By default the value is
 * passed on unchanged to the first new flag; `map` translates it (e.g. --alpha a → --level 1 − a);
 * `keep` leaves it for the command to read (aliases that no new value can express exactly).
 */
export function deprecate(cmd: Command, flags: string, neu: string | string[], o: { map?: Deprecation["map"]; hint?: string; keep?: boolean } = {}): Command {
  const opt = new Option(flags, `deprecated: use ${o.hint ?? ([] as string[]).concat(neu).join(" ")}`).hideHelp();
  cmd.addOption(opt);
  const news = ([] as string[]).concat(neu);
  const d: Deprecation = { old: opt.long!, oldKey: opt.attributeName(), neu: news, hint: o.hint ?? news.join(" ") };
  if (!o.keep) d.map = o.map ?? ((v) => ({ [news[0]!]: v }));
  const list = DEPRECATIONS.get(cmd) ?? [];
  list.push(d);
  DEPRECATIONS.set(cmd, list);
  return cmd;
}

/** The deprecated aliases of a command: [old, new] pairs (for the contract table and tests). */
export function deprecationsOf(cmd: Command): { old: string; neu: string[] }[] {
  return (DEPRECATIONS.get(cmd) ?? []).map((d) => ({ old: d.old, neu: d.neu }));
}

/**
 * Before a command runs: each deprecated flag given prints one warning line and sets its new flag;
 * an old flag given together with its new name is refused (exit 2).
 */
export function applyDeprecations(cmd: Command): void {
  const keyOf = (flag: string): string => {
    const o = cmd.options.find((x) => x.long === flag);
    if (!o) throw new Error(`internal: ${flag} is not an option of ${cmd.name()}`);
    return o.attributeName();
  };
  const byAlias = new Set<string>();
  for (const d of DEPRECATIONS.get(cmd) ?? []) {
    if (cmd.getOptionValueSource(d.oldKey) !== "cli") continue;
    for (const n of d.neu)
      if (!byAlias.has(n) && cmd.getOptionValueSource(keyOf(n)) === "cli")
        throw usageError(`${d.old} and ${n} give the same option (${d.old} is deprecated); give only ${n}`);
    err(`keytech: warning: ${d.old} is deprecated; use ${d.hint}\n`);
    if (!d.map) continue;
    const set = d.map(cmd.getOptionValue(d.oldKey) as string | boolean, (flag) =>
      byAlias.has(flag) ? (cmd.getOptionValue(keyOf(flag)) as string) : undefined,
    );
    for (const [flag, v] of Object.entries(set)) {
      cmd.setOptionValueWithSource(keyOf(flag), v, "cli");
      byAlias.add(flag);
    }
  }
}

// ---------------------------------------------------------------------------------------------------
// Validation with zod: typed options, usage errors that name the flag and the command

/** A flag value parsed by `parse`; a thrown message becomes the zod issue (and the usage error). */
export function flag<T>(parse: (v: string) => T): z.ZodType<T, string> {
  return z.string().transform((v, ctx) => {
    try {
      return parse(v);
    } catch (e) {
      ctx.addIssue({ code: "custom", message: (e as Error).message });
      return z.NEVER;
    }
  }) as unknown as z.ZodType<T, string>;
}

const kebab = (k: string): string => k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/**
 * Validate a command's raw option values (commander's strings) with `schema`; the first problem is a
 * usage error (exit 2) "--flag …" naming the command.
 */
export function parseOptions<S extends z.ZodType>(schema: S, raw: unknown, command: string): z.output<S> {
  const r = schema.safeParse(raw);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  const key = issue.path.length ? String(issue.path[0]) : "";
  const msg = issue.message.startsWith("--") || key === "" ? issue.message : `--${kebab(key)}: ${issue.message}`;
  // the message names the flag; the command is the one the user typed (kept out so messages stay as they were)
  void command;
  throw usageError(msg);
}

const bad = (m: string): never => {
  throw new Error(m);
};
const shown = (v: string): string => `'${printable(v)}'`;

/** An integer ≥ min (and ≤ max). */
export const int = (name: string, min = -Infinity, max = Infinity) =>
  flag((v) => {
    const x = Number(v);
    if (v.trim() === "" || !Number.isInteger(x) || x < min || x > max)
      bad(`${name} must be an integer${min > -Infinity ? ` ≥ ${min}` : ""}${max < Infinity ? ` ≤ ${max}` : ""}, got ${shown(v)}`);
    return x;
  });

/** `--name` as an integer ≥ min, else a usage error (the commands that validate one flag at a time). */
export function parseIntFlag(name: string, v: string, min: number): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw usageError(`--${name} must be an integer ≥ ${min}, got '${v}'`);
  return n;
}

/** A finite number. */
export const num = (name: string) =>
  flag((v) => {
    const x = Number(v);
    if (v.trim() === "" || !Number.isFinite(x)) bad(`${name} must be a number, got ${shown(v)}`);
    return x;
  });

/** One of `allowed` (and its synonyms); the message lists the accepted values. */
export function oneOf<T extends string>(name: string, allowed: readonly T[], synonyms: Record<string, T> = {}) {
  return flag((v): T => {
    const k = v.toLowerCase();
    if ((allowed as readonly string[]).includes(v)) return v as T;
    if ((allowed as readonly string[]).includes(k)) return k as T;
    if (synonyms[k] !== undefined) return synonyms[k];
    return bad(`${name} must be one of ${allowed.join(", ")}, got ${shown(v)}`);
  });
}

/** A comma-separated list (empty items dropped). */
export const list = flag((v) => splitList(v));

export function splitList(v: string | undefined): string[] {
  return (v ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/** A confidence level in (0, 1). */
export const level = flag((v) => {
  const x = Number(v);
  if (v.trim() === "" || !(x > 0 && x < 1)) bad(`--level must be a confidence level in (0, 1) (e.g. 0.95), got ${shown(v)}`);
  return x;
});

/** 1 − level, rounded to 12 significant digits (so --level 0.95 is α = 0.05 exactly, as --alpha 0.05 was). */
export const alphaOf = (lvl: number): number => Number((1 - lvl).toPrecision(12));

/** The --level of a deprecated `--alpha A` (1 − A, 12 significant digits); A outside (0, 1) is a usage error. */
export function alphaToLevel(name: string, v: string): string {
  const a = Number(v);
  if (v.trim() === "" || !(a > 0 && a < 1))
    throw usageError(`${name} must be in (0, 1), got ${shown(v)} (${name} is deprecated; use --level, e.g. --level 0.95)`);
  return String(Number((1 - a).toPrecision(12)));
}

/** An event-time window FIRST:LAST; `open` lets either end be empty (null = the command's default). */
export function window(o: { open?: boolean; first?: (s: string) => number | "all" } = {}) {
  return flag((v) => {
    const m = /^\s*([^:]*?)\s*:\s*([^:]*?)\s*$/.exec(v);
    const end = (s: string, which: string): number | null => {
      if (s === "" && o.open) return null;
      const x = Number(s);
      if (s === "" || !Number.isInteger(x))
        bad(`--window must be FIRST:LAST event times (integers${o.open ? ", either may be empty" : ""}, e.g. -4:5), got ${shown(v)} (${which})`);
      return x;
    };
    if (!m) return bad(`--window must be FIRST:LAST event times (e.g. -4:5), got ${shown(v)}`);
    const first = o.first && m[1] !== "" && !/^-?\d+$/.test(m[1]!) ? o.first(m[1]!) : end(m[1]!, "first");
    const last = end(m[2]!, "last");
    if (typeof first === "number" && last !== null && first > last) bad(`--window ${printable(v)}: FIRST must not exceed LAST`);
    return { first, last };
  });
}

// ---------------------------------------------------------------------------------------------------
// Variance: fixest's names

/** `--vcov` values of the regression commands (fixest: iid, hetero, cluster, twoway; hc1 and white = hetero). */
export const REGRESSION_VCOV = ["iid", "hetero", "cluster", "twoway"] as const;
export type RegressionVcov = (typeof REGRESSION_VCOV)[number];
export const vcovRegression = oneOf("--vcov", REGRESSION_VCOV, { hc1: "hetero", white: "hetero", "cluster-robust": "cluster", iid: "iid", standard: "iid" });

/** How a result's variance reads in a sentence ("clustered by unit (500 clusters)", "placebo (200 replications)"). */
export function describeVcov(v: { type?: string; clusters?: Record<string, number> | string[] | null; replications?: number } | undefined): string {
  if (!v || !v.type) return "not computed";
  const cl =
    v.clusters && !Array.isArray(v.clusters) ? Object.entries(v.clusters).map(([k, g]) => `${k} (${g} clusters)`) : Array.isArray(v.clusters) ? v.clusters : [];
  switch (v.type) {
    case "iid":
      return "iid";
    case "hc1":
    case "hetero":
      return "heteroskedasticity-robust (hetero, HC1)";
    case "cluster":
      return `clustered by ${cl.join(" and ")}`;
    case "none":
      return "none";
    default:
      return `${v.type}${v.replications ? ` (${v.replications} replications)` : ""}${cl.length ? `, clustered by ${cl.join(" and ")}` : ""}`;
  }
}

// ---------------------------------------------------------------------------------------------------
// Flag definitions shared by the commands

/** `--data FILE`. */
export function addData(cmd: Command, help = "data file (.csv, .tsv, .parquet)"): Command {
  return cmd.requiredOption("--data <file>", help);
}

/** `--json`. */
export function addJson(cmd: Command, help = "print one JSON document on stdout"): Command {
  return cmd.option("--json", help);
}

/** `--seed S`. */
export function addSeed(cmd: Command, help = "random seed", dflt?: string): Command {
  return dflt === undefined ? cmd.option("--seed <s>", help) : cmd.option("--seed <s>", help, dflt);
}

/** `--reps N`: replications / bootstrap or permutation draws (old names: --boot, --bootstrap N). */
export function addReps(cmd: Command, help: string, dflt?: string): Command {
  return dflt === undefined ? cmd.option("--reps <n>", help) : cmd.option("--reps <n>", help, dflt);
}

/** `--level L`: confidence level of the intervals (default 0.95); `alpha` adds the deprecated `--alpha A` (= 1 − L). */
export function addLevel(cmd: Command, o: { alpha?: boolean } = {}): Command {
  cmd.option("--level <l>", "confidence level of the intervals", "0.95");
  if (o.alpha)
    deprecate(cmd, "--alpha <a>", "--level", {
      hint: "--level (= 1 − alpha)",
      map: (v) => ({ "--level": alphaToLevel("--alpha", String(v)) }),
    });
  return cmd;
}

/** `--window FIRST:LAST`: the event times a command reports (the one name for windows, leads and lags). */
export function addWindow(cmd: Command, help: string, dflt?: string): Command {
  return dflt === undefined ? cmd.option("--window <a:b>", help) : cmd.option("--window <a:b>", help, dflt);
}

/** `--ref K`: the reference event time. */
export function addRef(cmd: Command, help = "reference event time", dflt = "-1"): Command {
  return cmd.option("--ref <k>", help, dflt);
}

/** `--vcov TYPE` and `--cluster COLS` of the regression commands (fixest's names and defaults). */
export function addVcov(cmd: Command, help: string, clusterHelp = "cluster column(s), comma-separated for multiway clustering"): Command {
  return cmd.option("--vcov <type>", help).option("--cluster <cols>", clusterHelp);
}

/** `--format F` of the table writers. */
export const TABLE_FORMATS = ["md", "latex", "html", "csv"] as const;
export const tableFormat = oneOf("--format", TABLE_FORMATS, { markdown: "md", tex: "latex" });
export function addFormat(cmd: Command, help: string, dflt = "md"): Command {
  return cmd.option("--format <f>", help, dflt);
}

export interface PanelFlagSpec {
  /** help of --data */
  data?: string;
  unit?: "required" | "optional";
  /** --cohort: first treated period */
  cohort?: "required" | "optional" | "none";
  /** --treat: 0/1 treatment column */
  treat?: "required" | "optional" | "none";
  /** --x covariates */
  x?: boolean;
  /** help of --cluster (none when absent) */
  cluster?: string;
  /** help of --weights (none when absent) */
  weights?: string;
}

/** The column flags of the panel commands: --data --y --unit --time [--cohort] [--treat] [--x] [--cluster] [--weights]. */
export function addPanelColumns(cmd: Command, s: PanelFlagSpec = {}): Command {
  addData(cmd, s.data ?? "panel data file (.csv, .tsv, .parquet): one row per unit and period");
  cmd.requiredOption("--y <col>", "outcome column");
  if (s.unit === "optional") cmd.option("--unit <col>", "unit id column");
  else cmd.requiredOption("--unit <col>", "unit id column");
  cmd.requiredOption("--time <col>", "period column (integer)");
  const cohort = s.cohort ?? "required";
  if (cohort === "required") cmd.requiredOption("--cohort <col>", "first treated period (0 or empty = never treated)");
  else if (cohort === "optional") cmd.option("--cohort <col>", "first treated period (0 or empty = never treated)");
  const treat = s.treat ?? "none";
  if (treat === "required") cmd.requiredOption("--treat <col>", "0/1 treatment column (absorbing)");
  else if (treat === "optional") cmd.option("--treat <col>", "0/1 treatment column (absorbing; instead of --cohort)");
  if (s.x !== false) cmd.option("--x <cols>", "covariates, comma-separated");
  if (s.cluster) cmd.option("--cluster <col>", s.cluster);
  if (s.weights) cmd.option("--weights <col>", s.weights);
  return cmd;
}

/** `--out FILE` of a command that writes its JSON result: an extension other than .json is refused. */
export function checkJsonOut(out: string): string {
  const m = /(\.[^./\\]+)$/.exec(out);
  if (m && m[1]!.toLowerCase() !== ".json")
    throw usageError(
      `--out ${out}: the result is written as JSON, so the file name must end in .json (got '${m[1]}'); use --out NAME.json, and keytech table NAME.json --out T.csv for a table`,
    );
  return out;
}

// ---------------------------------------------------------------------------------------------------
// Column-mapping flags of the `patents` commands

export interface MappingFlags {
  mapping?: string;
  idCol?: string;
  dateCol?: string;
  yearCol?: string;
  regionCol?: string;
  ipcCol?: string;
  citedCol?: string;
  applicantCol?: string;
  ipcSep?: string;
  citedSep?: string;
}

/**
 * A base mapping (`--mapping`, added by each command with its default) and single-column overrides, so an
 * export is read without writing a JSON mapping file.
 */
export function addMappingFlags(cmd: Command): Command {
  return cmd
    .option("--id-col <header>", "column of the patent id (overrides the mapping)")
    .option("--date-col <header>", "column of the filing date (overrides the mapping)")
    .option("--year-col <header>", "column of the filing year, when there is no date (overrides the mapping)")
    .option("--region-col <header>", "column of the applicant's region / unit code (overrides the mapping)")
    .option("--ipc-col <header>", "column of the IPC codes (overrides the mapping)")
    .option("--cited-col <header>", "column of the cited patent ids (overrides the mapping)")
    .option("--applicant-col <header>", "column of the applicant id (overrides the mapping)")
    .option("--ipc-sep <chars>", "characters separating IPC codes in a cell (default ;,|；，)")
    .option("--cited-sep <chars>", "characters separating cited ids in a cell (default ;,| ；，)");
}

/** The mapping of the flags: the named base mapping with the single-column overrides. */
export function mappingFromFlags(f: MappingFlags): ColumnMapping {
  return withOverrides(loadMapping(f.mapping), {
    id: f.idCol,
    date: f.dateCol,
    year: f.yearCol,
    region: f.regionCol,
    ipc: f.ipcCol,
    cited: f.citedCol,
    applicant: f.applicantCol,
    ipcSeparators: f.ipcSep,
    citedSeparators: f.citedSep,
  });
}

/** `--ipc-level` (old: `--level`, which now means the confidence level everywhere). */
export function addIpcLevel(cmd: Command, help: string, dflt?: string): Command {
  if (dflt === undefined) cmd.option("--ipc-level <level>", help);
  else cmd.option("--ipc-level <level>", help, dflt);
  return deprecate(cmd, "--level <level>", "--ipc-level");
}

// ---------------------------------------------------------------------------------------------------
// The regression commands (feols, did twfe, did event): fixest's variance names and defaults

/** --vcov --cluster --weights --winsor --trim --quantile-type --keep-singletons --level, the wild bootstrap, --json --out. */
export function addRegressionOptions(cmd: Command, o: { did?: boolean } = {}): Command {
  addVcov(
    cmd,
    o.did
      ? "variance: cluster (default: by --cluster, else the unit), iid, hetero (= hc1), twoway (unit and period)"
      : "variance: iid (default unless --cluster is given, as fixest), hetero (= hc1), cluster (by --cluster, else the first fixed effect), twoway (the first two fixed effects)",
  );
  cmd
    .option("--weights <col>", "observation weights column")
    .option("--winsor <p>", "winsorise the outcome at the p and 1-p quantiles (e.g. 0.05)")
    .option("--trim <p>", "drop rows whose outcome lies outside the p and 1-p quantiles")
    .option("--quantile-type <t>", "quantile definition for --winsor/--trim: 7 (R, default) or 2 (Stata _pctile)")
    .option("--keep-singletons", "keep observations alone in a fixed-effect group (default: drop them, as fixest and reghdfe)");
  addLevel(cmd);
  cmd.option("--bootstrap <type>", "wild: wild cluster restricted bootstrap p-value and CI (first cluster variable)");
  addReps(cmd, "bootstrap draws (default 9999)");
  addSeed(cmd, "bootstrap seed (required with --bootstrap)");
  cmd
    .option("--wild-weights <w>", "rademacher (default), webb or mammen")
    .option("--boot-term <term>", "coefficient to bootstrap (default: treat_post / the first regressor)");
  addJson(cmd, "print the JSON result on stdout");
  return cmd.option("--out <file>", "also write the JSON result to this file");
}

export const regressionSchema = z.object({
  vcov: vcovRegression.optional(),
  cluster: list.optional(),
  weights: z.string().optional(),
  winsor: num("--winsor").optional(),
  trim: num("--trim").optional(),
  quantileType: oneOf("--quantile-type", ["7", "2"] as const).optional(),
  keepSingletons: z.boolean().optional(),
  level,
  bootstrap: oneOf("--bootstrap", ["wild"] as const).optional(),
  reps: int("--reps", 1).optional(),
  seed: int("--seed", 0).optional(),
  wildWeights: oneOf("--wild-weights", ["rademacher", "webb", "mammen"] as const).optional(),
  bootTerm: z.string().optional(),
  json: z.boolean().optional(),
  out: z.string().optional(),
});
export type RegressionValues = z.output<typeof regressionSchema>;

/**
 * The analysis options of the regression flags. `fixedEffects` are the model's fixed effects in order
 * (null for one that is not a plain column): `--vcov cluster` without `--cluster` clusters by the first
 * and `--vcov twoway` by the first two, as fixest.
 */
export function regressionOptions(v: RegressionValues, fixedEffects: (string | null)[]): RegressionOptions {
  const o: RegressionOptions = {};
  let cluster = v.cluster?.length ? v.cluster : undefined;
  if (v.vcov === "twoway") {
    if (cluster) throw usageError("--vcov twoway clusters by the first two fixed effects; for other columns use --vcov cluster --cluster a,b");
    const two = fixedEffects.slice(0, 2);
    if (two.length < 2 || two.some((f) => f === null))
      throw usageError("--vcov twoway needs two fixed effects that are columns (it clusters by the first two, as fixest); use --cluster a,b");
    cluster = two as string[];
  } else if (v.vcov === "cluster" && !cluster && fixedEffects[0]) cluster = [fixedEffects[0]];
  if (v.vcov !== undefined) o.vcov = v.vcov === "hetero" ? "hc1" : v.vcov === "twoway" ? "cluster" : v.vcov;
  if (cluster) o.cluster = cluster;
  if (v.weights) o.weights = v.weights;
  if (v.winsor !== undefined) o.winsor = v.winsor;
  if (v.trim !== undefined) o.trim = v.trim;
  if (v.quantileType !== undefined) o.quantileType = Number(v.quantileType) as 2 | 7;
  if (v.keepSingletons) o.keepSingletons = true;
  if (v.level !== 0.95) o.level = v.level;
  if (v.bootstrap !== undefined) {
    if (v.seed === undefined) throw usageError("--bootstrap wild needs --seed S (an integer) so that the result can be reproduced");
    o.bootstrap = { reps: v.reps ?? 9999, seed: v.seed, weights: v.wildWeights ?? "rademacher" };
    if (v.bootTerm) o.bootstrap.term = v.bootTerm;
  } else if (v.reps !== undefined || v.wildWeights !== undefined || v.bootTerm !== undefined) {
    throw usageError("--reps, --wild-weights and --boot-term need --bootstrap wild");
  }
  return o;
}

/** The DID column flags of `did twfe` / `did event` (--data --y --unit --time --cohort [--x] [--lead]). */
export function addDidColumns(cmd: Command): Command {
  return addPanelColumns(cmd, { data: "CSV or Parquet panel" }).option("--lead <k>", "lead the outcome by k periods within unit");
}

export const didSchema = regressionSchema.extend({
  data: z.string(),
  y: z.string(),
  unit: z.string(),
  time: z.string(),
  cohort: z.string(),
  x: list.optional(),
  lead: flag((v) => {
    const k = Number(v);
    if (v.trim() === "" || !Number.isInteger(k) || k < 1) bad(`--lead must be an integer ≥ 1 (periods ahead), got ${shown(v)}; a lag is not a lead`);
    return k;
  }).optional(),
});

/** The analysis columns and options of `did twfe` / `did event` (fixed effects: unit and period). */
export function didColumns(v: z.output<typeof didSchema>): DidColumns {
  const o: DidColumns = { data: v.data, y: v.y, unit: v.unit, time: v.time, cohort: v.cohort, ...regressionOptions(v, [v.unit, v.time]) };
  if (v.x?.length) o.x = v.x;
  if (v.lead !== undefined) o.lead = v.lead;
  return o;
}

/** A formula's fixed effects (null for `a^b` or varying slopes): fixest's clusters of --vcov cluster / twoway. */
export function plainFixedEffects(formula: string): (string | null)[] {
  return parseFormula(formula).fixedEffects.map((fe) => (fe.vars.length === 1 && fe.slopes.length === 0 ? fe.vars[0]! : null));
}

/** The flags of `did placebo` / `did permute`: the panel columns, --x, --reps (default `reps`), --seed, --json. */
export function addRedrawFlags(cmd: Command, cohort: "required" | "optional", reps: { help: string; default: string }): Command {
  addPanelColumns(cmd, { data: "CSV or Parquet panel", cohort, treat: cohort === "optional" ? "optional" : "none", x: false });
  cmd.option("--x <cols>", "controls, comma separated");
  addReps(cmd, reps.help, reps.default);
  addSeed(cmd, "random seed", "1");
  return addJson(cmd);
}

/** The column flags of the staggered-DID commands (imputation, stacked, ddd, compare): cluster by --cluster, default the unit. */
export function addStaggeredColumns(cmd: Command): Command {
  addPanelColumns(cmd, { cluster: "cluster variable (default: the unit)" });
  return addJson(cmd);
}

export interface StaggeredFlags {
  data: string;
  y: string;
  unit: string;
  time: string;
  cohort: string;
  x?: string;
  cluster?: string;
  json?: boolean;
}

/** The analysis columns of the staggered-DID flags. */
export function staggeredColumns(o: StaggeredFlags): StaggeredColumns {
  const c: StaggeredColumns = { data: o.data, y: o.y, unit: o.unit, time: o.time, cohort: o.cohort, x: splitList(o.x) };
  if (o.cluster) c.cluster = o.cluster;
  return c;
}

// ---------------------------------------------------------------------------------------------------
// Value checks of the patents commands (one flag at a time)

/** `v` must be one of `allowed` (the message lists them). */
export function pick<T extends string>(name: string, v: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(v)) throw usageError(`${name} must be one of ${allowed.join(", ")}, got '${printable(v)}'`);
  return v as T;
}

/** A comma-separated list of positive integers. */
export function intList(name: string, v: string): number[] {
  const xs = v.split(",").map((s) => s.trim());
  const out = xs.map(Number);
  if (out.length === 0 || out.some((x, i) => !Number.isInteger(x) || x < 1 || xs[i] === ""))
    throw usageError(`${name} must be a comma-separated list of positive integers, got '${printable(v)}'`);
  return out;
}

/** An integer ≥ min. */
export function intAtLeast(name: string, v: string, min = 0): number {
  const x = Number(v);
  if (v.trim() === "" || !Number.isInteger(x) || x < min) throw usageError(`${name} must be an integer ≥ ${min}, got '${printable(v)}'`);
  return x;
}

/** `--tie-ceiling`: a share in [0, 1). */
export function tieCeilingOf(v: string): number {
  const x = Number(v);
  if (v.trim() === "" || !(x >= 0 && x < 1)) throw usageError(`--tie-ceiling must be in [0, 1), got '${printable(v)}'`);
  return x;
}
