/**
 * The data the report layer renders, defined below both the study (which produces it) and the report
 * (which renders it), so that src/report/ imports nothing from src/study/: a block's output (its models,
 * figure data, table rows), the record of a block run, a whole study run, and a `did compare` result.
 * src/study/blocks/types.ts, src/study/runner.ts and src/analyses/compare.ts re-export these.
 */
import type { EstimateRow, EventPoint, KeytechResult } from "./result.js";

/** Plain data for a figure; src/report/figures builds the vega-lite spec from it. */
export type FigureData =
  | { kind: "event"; id: string; title: string; series: { estimator: string; points: EventPoint[] }[] }
  | { kind: "placebo"; id: string; title: string; draws: number[]; estimate: number; pValue: number | null; xTitle?: string }
  | {
      kind: "sdid";
      id: string;
      title: string;
      trajectory: { times: number[]; treated: number[]; synthetic: number[]; treatStart: number } | null;
      unitWeights: { unit: string; weight: number }[];
      timeWeights: { time: number; weight: number }[];
    }
  | { kind: "paths"; id: string; title: string; bars: { name: string; estimate: number; lo?: number | null; hi?: number | null }[] }
  | { kind: "coef"; id: string; title: string; rows: { label: string; estimate: number; lo: number; hi: number; group?: string }[] }
  | {
      kind: "sensitivity";
      id: string;
      title: string;
      xTitle: string;
      original: { lb: number; ub: number };
      rows: { x: number; lb: number | null; ub: number | null }[];
      breakdown: number | null;
    };

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

export type BlockStatus = "ok" | "failed" | "not_available";

export interface BlockRecord {
  id: string;
  title: string;
  section: string;
  table?: string;
  status: BlockStatus;
  cached: boolean;
  seconds: number;
  key: string;
  seed: number;
  options: Record<string, unknown>;
  methods: string;
  error?: string;
  /** every warning its estimators raised (dropped cohorts, units, few clusters, collinear terms …) */
  warnings?: string[];
  output?: BlockOutput;
}

/** results.json of `keytech study run`. */
export interface StudyRun {
  keytech: string;
  title: string;
  spec: { path: string; hash: string };
  seed: number;
  inputs: Record<string, string>;
  /** the outcome: `source` says whether it is measured from inputs.patents or read from the panel */
  outcome: { column: string; label: string; source: "patents" | "panel"; patents?: { read: number; key_digital: number; aggregated: number } };
  /** the study's words and variable labels (spec labels with defaults), for tables and figures */
  labels: { unit: string; units: string; time: string; treatment: string; variables: Record<string, string> };
  /** the spec's model block */
  model: { controls: string[]; cluster: string; formula?: string | undefined };
  sample: { rows: number; units: number; periods: [number, number] };
  blocks: BlockRecord[];
  failed: number;
  truth: unknown;
}

/** The estimators of `did compare`. */
export type CompareEstimator = "twfe" | "cs" | "sunab" | "imputation" | "stacked";

export interface CompareEntry {
  estimator: CompareEstimator;
  label: string;
  status: "ok" | "failed";
  error?: string;
  control_group: string;
  /** what the overall ATT row is for this estimator */
  overall_definition: string;
  /** the overall ATT (term "ATT") */
  overall: EstimateRow | null;
  /** rows rel::k in the window */
  event_time: EstimateRow[];
  nobs: number | null;
  /** the full results of the estimator's own analysis (CONTRACT schema) */
  results: KeytechResult[];
}

/** The `did compare` result. */
export interface CompareResult extends KeytechResult {
  window: [number, number];
  ref: number;
  comparison: CompareEntry[];
}
