/** `keytech feols --data F --formula "y ~ x | fe1 + fe2" …` (the regression flags live in ../flags.ts). */
import type { Command } from "commander";
import { z } from "zod";
import { feolsAnalysis } from "../../analyses/feols.js";
import { renderCoefficients } from "../../report/regression-table.js";
import { addData, addRegressionOptions, parseOptions, plainFixedEffects, regressionOptions, regressionSchema } from "../flags.js";
import { action, emitResult } from "../run.js";

const schema = regressionSchema.extend({ data: z.string(), formula: z.string() });

export function registerFeols(program: Command): void {
  const cmd = addData(
    program.command("feols").description("OLS with high-dimensional fixed effects (fixest-style formula)"),
    "CSV or Parquet file",
  ).requiredOption("--formula <f>", 'formula, e.g. "y ~ x1 + x2 | fe1 + fe2"');
  addRegressionOptions(cmd).action(
    action(async (raw: unknown) => {
      const v = parseOptions(schema, raw, "feols");
      const r = await feolsAnalysis({
        data: v.data,
        formula: v.formula,
        ...regressionOptions(v, v.vcov === "cluster" || v.vcov === "twoway" ? plainFixedEffects(v.formula) : []),
      });
      await emitResult(r, v, () => renderCoefficients(r));
    }),
  );
}
