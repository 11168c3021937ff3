/**
 * Study blocks: the unit of work of `keytech study run`. A block takes the prepared study data and its
 * options and returns a BlockOutput (models for its table, data for its figures). Blocks whose analysis
 * has not landed throw `notAvailable(reason)`; the runner records them as "not available".
 */
import type { z } from "zod";
import type { KeytechResult } from "../../core/result.js";
import type { StudyData } from "./data.js";
import type { StudySpec } from "../spec-schema.js";

export interface EventPointData { rel: number; estimate: number; lo: number; hi: number }

/** Plain data for a figure; src/report/figures builds the vega-lite spec from it. */
export type FigureData =
  | { kind: "event"; id: string; title: string; series: { estimator: string; points: EventPointData[] }[] }
  | { kind: "placebo"; id: string; title: string; draws: number[]; estimate: number; pValue: number | null; xTitle?: string }
  | { kind: "sdid"; id: string; title: string; trajectory: { times: number[]; treated: number[]; synthetic: number[]; treatStart: number } | null; unitWeights: { unit: string; weight: number }[]; timeWeights: { time: number; weight: number }[] }
  | { kind: "paths"; id: string; title: string; bars: { name: string; estimate: number; lo?: number | null; hi?: number | null }[] }
  | { kind: "coef"; id: string; title: string; rows: { label: string; estimate: number; lo: number; hi: number; group?: string }[] }
  | { kind: "sensitivity"; id: string; title: string; xTitle: string; original: { lb: number; ub: number }; rows: { x: number; lb: number | null; ub: number | null }[]; breakdown: number | null };

/** One column of a block's table. */
export interface BlockModel {
  /** short id, e.g. "fe_only" */
  name: string;
  /** column header, e.g. "(1) FE only" */
  label: string;
  result: KeytechResult;
}

export interface BlockOutput {
  models: BlockModel[];
  /** terms shown first / only in the table (e.g. ["treat_post"]); default: all */
  keyTerms?: string[];
  /**
   * A table whose columns are statistics rather than models (e.g. Table 3: effect, SE, CI, share); the
   * report renders it instead of the model columns. Cells are printed text.
   */
  statsTable?: { header: string[]; rows: { term: string; cells: string[] }[]; note?: string };
  /** printed labels of terms whose meaning is particular to this block (default: core/labels termLabel) */
  termLabels?: Record<string, string>;
  /** extra table rows, e.g. "Controls: yes", "empirical p" (row label → one cell per model) */
  extraRows?: { label: string; cells: string[] }[];
  figures?: FigureData[];
  notes?: string[];
  /** warnings of the block itself (the runner adds those of every model's result) */
  warnings?: string[];
  /** anything else worth keeping in results.json */
  extra?: Record<string, unknown>;
}

export class NotAvailable extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = "NotAvailable";
  }
}

/** Throw from a block whose analysis is not on this build. */
export function notAvailable(reason: string): never {
  throw new NotAvailable(reason);
}

export interface BlockContext {
  spec: StudySpec;
  data: StudyData;
  /** seed for this block (spec seed forked by the block id) */
  seed: number;
  /** outputs of the blocks named in `needs` */
  deps: Record<string, BlockOutput>;
  /** folder for scratch files (merged analysis panel etc.) */
  workDir: string;
  log: (msg: string) => void;
}

export interface BlockDef<S extends z.ZodType = z.ZodType> {
  id: string;
  title: string;
  /** where it goes in the report */
  section: "descriptives" | "baseline" | "robustness" | "endogeneity" | "mechanisms" | "paths" | "heterogeneity" | "moderation";
  /** the paper's table it reproduces, e.g. "Table 1" */
  table?: string;
  /** zod schema of the options (all fields defaulted) */
  options: S;
  needs?: string[];
  /** methods paragraph: estimator, options, references */
  methods: (opts: z.infer<S>, spec: StudySpec) => string;
  /**
   * Columns this block adds to the study data (its output's `extra.columns`, one value per data row);
   * the runner joins them before the later blocks run, and those blocks' cache keys include this block's.
   */
  provides?: (opts: z.infer<S>) => string[];
  /** column names this block reads (checked against the panel when the spec is loaded) */
  columns?: (opts: z.infer<S>) => string[];
  run: (ctx: BlockContext, opts: z.infer<S>) => Promise<BlockOutput>;
}

export function defineBlock<S extends z.ZodType>(def: BlockDef<S>): BlockDef<S> {
  return def;
}
