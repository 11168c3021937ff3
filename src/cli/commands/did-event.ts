/** `keytech did event --data F --y Y --unit U --time T --cohort G [--window -4:5] [--ref -1] [--bin | --endpoints bin|trim|none]` */
import type { Command } from "commander";
import { z } from "zod";
import { usageError } from "../../core/errors.js";
import { eventAnalysis, parseWindow, type EventOptions } from "../../analyses/event.js";
import { renderCoefficients } from "../../report/regression-table.js";
import { addDidColumns, addRef, addRegressionOptions, addWindow, didColumns, didSchema, flag, oneOf, parseOptions, splitList } from "../flags.js";
import { action, emitResult } from "../run.js";

const schema = didSchema.extend({
  window: flag(parseWindow).optional(),
  ref: flag((s) =>
    splitList(s).map((p) => {
      const v = Number(p);
      if (!Number.isInteger(v)) throw new Error(`--ref must be integer relative period(s), got '${s}'`);
      return v;
    }),
  ),
  bin: z.boolean().optional(),
  endpoints: oneOf("--endpoints", ["bin", "trim", "none"] as const).optional(),
});

export function registerDidEvent(did: Command): void {
  const cmd = did.command("event").description("event study in relative time with a joint pre-trend Wald test; never-treated units get no dummy");
  addWindow(cmd, "relative periods with their own term, e.g. -4:5");
  addRef(cmd, "reference period(s), comma-separated")
    .option("--bin", "bin the endpoints of the window (same as --endpoints bin, the default with --window)")
    .option("--endpoints <how>", "outside the window: bin (endpoints absorb), trim (drop), none (no dummy)");
  addRegressionOptions(addDidColumns(cmd), { did: true }).action(
    action(async (raw: unknown) => {
      const v = parseOptions(schema, raw, "did event");
      const o: EventOptions = didColumns(v);
      if (v.window !== undefined) o.window = v.window;
      if (v.ref.length === 0) throw usageError(`--ref must be integer relative period(s), got ''`);
      o.ref = v.ref;
      if (v.bin && v.endpoints && v.endpoints !== "bin") throw usageError(`--bin contradicts --endpoints ${v.endpoints}`);
      const ep = v.bin ? "bin" : v.endpoints;
      if (ep !== undefined) o.endpoints = ep;
      const r = await eventAnalysis(o);
      await emitResult(r, v, () => renderCoefficients(r));
    }),
  );
}
