/** `keytech did twfe --data F --y Y --unit U --time T --cohort G [--x a,b] [--cluster U] [--lead 1] …` */
import type { Command } from "commander";
import { twfeAnalysis } from "../../analyses/twfe.js";
import { renderCoefficients } from "../../report/regression-table.js";
import { addDidColumns, addRegressionOptions, didColumns, didSchema, parseOptions } from "../flags.js";
import { action, emitResult } from "../run.js";

export function registerDidTwfe(did: Command): void {
  const cmd = did.command("twfe").description("staggered TWFE DID on treat_post = 1[cohort > 0 and time >= cohort], clustered by unit");
  addRegressionOptions(addDidColumns(cmd), { did: true }).action(
    action(async (raw: unknown) => {
      const v = parseOptions(didSchema, raw, "did twfe");
      const r = await twfeAnalysis(didColumns(v));
      await emitResult(r, v, () => renderCoefficients(r));
    }),
  );
}
