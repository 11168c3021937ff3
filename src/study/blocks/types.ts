/**
 * Study blocks: the unit of work of `keytech study run`. A block takes the prepared study data and its
 * options and returns a BlockOutput (models for its table, data for its figures). Blocks whose analysis
 * has not landed throw `notAvailable(reason)`; the runner records them as "not available".
 */
import type { z } from "zod";
import type { BlockOutput } from "../../core/report-data.js";
import type { StudyData } from "./data.js";
import type { StudySpec } from "../spec-schema.js";

// the output types live below the report layer (core/report-data.ts), which renders them
export type { BlockModel, BlockOutput, FigureData } from "../../core/report-data.js";
/** One point of an event-study figure (the one EventPoint type, core/result.ts). */
export type { EventPoint as EventPointData } from "../../core/result.js";

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
