/** `keytech did twfe --data F --y Y --unit U --time T --cohort G [--x a,b] [--cluster U] [--lead 1] …` */
import type { Command } from "commander";
import { usageError } from "../../core/errors.js";
import { twfeAnalysis } from "../../analyses/twfe.js";
import type { DidColumns } from "../../analyses/did-prep.js";
import { action } from "../run.js";
import { addRegressionOptions, emitRegression, listFlag, numberFlag, regressionOptionsFrom, type RegressionFlags } from "./feols.js";

export interface DidFlags extends RegressionFlags {
  data: string;
  y: string;
  unit: string;
  time: string;
  cohort: string;
  x?: string;
  lead?: string;
}

/** Column flags of the DID commands. */
export function addDidColumns(cmd: Command): Command {
  return cmd
    .requiredOption("--data <file>", "CSV or Parquet panel")
    .requiredOption("--y <col>", "outcome column")
    .requiredOption("--unit <col>", "unit id column")
    .requiredOption("--time <col>", "period column (integer)")
    .requiredOption("--cohort <col>", "first treated period (0 or empty = never treated)")
    .option("--x <cols>", "control columns, comma-separated")
    .option("--lead <k>", "lead the outcome by k periods within unit");
}

export function didColumnsFrom(f: DidFlags): DidColumns {
  const o: DidColumns = { data: f.data, y: f.y, unit: f.unit, time: f.time, cohort: f.cohort, ...regressionOptionsFrom(f) };
  const x = listFlag(f.x);
  if (x) o.x = x;
  const lead = numberFlag("lead", f.lead);
  if (lead !== undefined) {
    if (!Number.isInteger(lead) || lead < 1) throw usageError(`--lead must be an integer ≥ 1 (periods ahead), got '${f.lead}'; a lag is not a lead`);
    o.lead = lead;
  }
  return o;
}

export function registerDidTwfe(did: Command): void {
  const cmd = did.command("twfe").description("staggered TWFE DID on treat_post = 1[cohort > 0 and time >= cohort], clustered by unit");
  addRegressionOptions(addDidColumns(cmd)).action(
    action(async (f: DidFlags) => {
      const r = await twfeAnalysis(didColumnsFrom(f));
      await emitRegression(r, f);
    }),
  );
}
