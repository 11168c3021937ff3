/** `keytech patents …`: score, panel, diffusion, rca (thin wrappers over src/patents). */
import type { Command } from "commander";
import { usageError } from "../../core/errors.js";
import { stampVersion } from "../../core/result.js";
import { sha256Path } from "../../core/hash.js";
import { action, emit } from "../run.js";
import { err } from "../io.js";
import { withPatentSource } from "../../patents/source.js";
import { addIpcLevel, addMappingFlags, intAtLeast, intList, mappingFromFlags, pick as oneOf, tieCeilingOf, type MappingFlags } from "../flags.js";
import { scoreFile } from "../../patents/score-file.js";
import type { IpcLevel } from "../../patents/ipc.js";
import { DEFAULT_SCORE_OPTIONS, PAPER_LEVEL, PAPER_SCORE_OPTIONS, type ScoreCoverage, type ScoreOptions } from "../../patents/scores.js";

/** `--preset`: the score options and term level each preset stands for (explicit flags override). */
export const SCORE_PRESETS: Record<"paper" | "kpst", { level: IpcLevel; options: ScoreOptions }> = {
  paper: { level: PAPER_LEVEL, options: { ...PAPER_SCORE_OPTIONS, forward: [...PAPER_SCORE_OPTIONS.forward] } },
  kpst: { level: "group", options: { ...DEFAULT_SCORE_OPTIONS, forward: [...DEFAULT_SCORE_OPTIONS.forward] } },
};

interface ScoreFlags extends MappingFlags {
  patents: string;
  out: string;
  preset: string;
  ipcLevel?: string;
  backward?: string;
  forward?: string;
  idf?: string;
  pairYear?: string;
  sameYear?: string;
  censoring?: string;
  breakthrough?: string;
  quantile?: string;
  tieCeiling?: string;
  mapping?: string;
  onBadIpc: string;
  taxonomy?: string;
  category?: string;
  mainOnly?: boolean;
  json?: boolean;
}

/** One line for stderr: fully / partly censored patents and their years, years without a full backward window. */
export function coverageLine(c: ScoreCoverage, backward: number): string {
  const yrs = (ys: number[]): string =>
    ys.length === 0 ? "none" : ys.length > 2 && ys[ys.length - 1]! - ys[0]! === ys.length - 1 ? `${ys[0]}–${ys[ys.length - 1]}` : ys.join(", ");
  return (
    `fully censored (no forward year observed; fs/imp/breakthrough empty): ${c.fullyCensored} patents (${yrs(c.fullyCensoredYears)}); ` +
    `partly censored: ${c.partlyCensored} patents (${yrs(c.partlyCensoredYears)}); ` +
    `without a full ${backward}-year backward window: ${c.backwardIncomplete} patents (${yrs(c.backwardIncompleteYears)})`
  );
}

export function registerPatents(program: Command): Command {
  const patents = program.command("patents").description("patent measures: breakthrough scores, region-year panels, diffusion, co-specialisation");
  const score = addMappingFlags(patents.command("score"))
    .description("breakthrough scores of every patent (Kelly et al. 2021 on IPC terms; exact linear-time sums)")
    .requiredOption("--patents <file>", "patents table (CSV or Parquet; a folder for --mapping patentsview; USPTO grant XML, a file or a folder)")
    .requiredOption("--out <file>", "output CSV (written atomically)")
    .option(
      "--preset <name>",
      "option set: kpst (KPST BIDF, level group) | paper (seed eqs. 2–3: --idf seed, level subclass); explicit flags override it",
      "kpst",
    );
  addIpcLevel(score, "IPC term level: subclass | group | subgroup (preset: kpst group, paper subclass)")
    .option("--backward <years>", "backward window in years (preset: 5)")
    .option("--forward <list>", "forward horizons in years (preset: 1,5,10)")
    .option("--idf <kind>", "kpst: ln(N_<s/(1+D_ws)) over earlier years | seed: ln(N_≤s/D_ws), unseen terms weigh 0 (preset: kpst kpst, paper seed)")
    .option("--pair-year <rule>", "IDF year of a pair: min (earlier patent's year, KPST) | max (preset: min)")
    .option("--same-year <rule>", "same-year pairs: exclude | byDate (earlier dates in BS, later in FS) (preset: exclude)")
    .option(
      "--censoring <rule>",
      "partly observed forward windows: truncate (sum observed years) | missing; patents of the last data year are always missing (preset: truncate)",
    )
    .option(
      "--breakthrough <rule>",
      "year: top (1 − q) of imp within filing year | kpst: ln(imp) residualised on year, pooled; a block tied at the threshold is kept only within --tie-ceiling of (1 − q)·n (preset: year)",
    )
    .option("--quantile <q>", "breakthrough quantile (preset: 0.9)")
    .option(
      "--tie-ceiling <c>",
      "share of a year by which a block tied at the threshold may lift it above 1 − q, kept only when nearer the target than dropping it; 0 = never above ⌈(1 − q)·n⌉ (preset: 0.02)",
    )
    .option("--mapping <name|file>", "column mapping: default | cnrds | patentsview | a JSON file", "default")
    .option("--on-bad-ipc <rule>", "malformed IPC codes: fail | skip (skip drops and reports them)", "fail")
    .option("--taxonomy <name|file>", "score only patents with a code in this taxonomy (oecd-ict, wipo, wipo-digital, cnipa-provisional, or a rule file)")
    .option("--category <ids>", "categories of --taxonomy (default: all)")
    .option("--main-only", "only the first (main) IPC code decides the category")
    .option("--json", "print a JSON summary on stdout")
    .action(
      action(async (f: ScoreFlags) => {
        const preset = SCORE_PRESETS[oneOf("--preset", f.preset, ["paper", "kpst"] as const)];
        const p = preset.options;
        const level = f.ipcLevel === undefined ? preset.level : (oneOf("--ipc-level", f.ipcLevel, ["subclass", "group", "subgroup"] as const) as IpcLevel);
        const quantile = f.quantile === undefined ? p.quantile : Number(f.quantile);
        if (!(quantile > 0 && quantile < 1)) throw usageError(`--quantile must be in (0, 1), got '${f.quantile}'`);
        const tieCeiling = f.tieCeiling === undefined ? p.tieCeiling : tieCeilingOf(f.tieCeiling);
        const opts = {
          level,
          backward: f.backward === undefined ? p.backward : intAtLeast("--backward", f.backward, 0),
          forward: f.forward === undefined ? p.forward : intList("--forward", f.forward),
          idf: f.idf === undefined ? p.idf : oneOf("--idf", f.idf, ["kpst", "seed"] as const),
          pairYear: f.pairYear === undefined ? p.pairYear : oneOf("--pair-year", f.pairYear, ["min", "max"] as const),
          sameYear: f.sameYear === undefined ? p.sameYear : oneOf("--same-year", f.sameYear, ["exclude", "byDate"] as const),
          censoring: f.censoring === undefined ? p.censoring : oneOf("--censoring", f.censoring, ["truncate", "missing"] as const),
          breakthrough: f.breakthrough === undefined ? p.breakthrough : oneOf("--breakthrough", f.breakthrough, ["year", "kpst"] as const),
          quantile,
          tieCeiling,
          onBadIpc: oneOf("--on-bad-ipc", f.onBadIpc, ["fail", "skip"] as const),
          mapping: mappingFromFlags(f),
          filter: f.taxonomy
            ? { taxonomy: f.taxonomy, categories: f.category ? f.category.split(",").map((x) => x.trim()) : undefined, mainOnly: Boolean(f.mainOnly) }
            : undefined,
        };
        if (f.category && !f.taxonomy) throw usageError("--category needs --taxonomy");
        const s = await withPatentSource(f.patents, opts.mapping, (file, mapping) => scoreFile(file, f.out, { ...opts, mapping }));
        for (const w of s.warnings) err(`keytech: warning: ${w}\n`);
        err(`keytech: coverage: ${coverageLine(s.coverage, opts.backward)}\n`);
        const { mapping, ...shown } = opts;
        const doc = stampVersion({
          command: "patents score",
          nobs: s.patents,
          output: f.out,
          summary: s,
          provenance: { seed: null, inputs: { [f.patents]: await sha256Path(f.patents) }, options: { preset: f.preset, ...shown, mapping: mapping.name } },
        });
        emit(
          doc,
          Boolean(f.json),
          () =>
            `scored ${s.patents} of ${s.read} patents (${s.years ? s.years.join("–") : "no years"}), ${s.vocabulary} terms at level ${level}; BS = 0: ${s.bsZero}; censored: ${s.censored}\nwrote ${f.out}\n`,
        );
      }),
    );
  return patents;
}
