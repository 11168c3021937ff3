/** `keytech did event --data F --y Y --unit U --time T --cohort G [--window -4:5] [--ref -1] [--bin | --endpoints bin|trim|none]` */
import type { Command } from "commander";
import { usageError } from "../../core/errors.js";
import { eventAnalysis, parseWindow, type EventOptions } from "../../analyses/event.js";
import { action } from "../run.js";
import { addRegressionOptions, emitRegression } from "./feols.js";
import { addDidColumns, didColumnsFrom, type DidFlags } from "./did-twfe.js";

interface EventFlags extends DidFlags {
  window?: string;
  ref?: string;
  bin?: boolean;
  endpoints?: string;
}

export function registerDidEvent(did: Command): void {
  const cmd = did
    .command("event")
    .description("event study in relative time with a joint pre-trend Wald test; never-treated units get no dummy")
    .option("--window <a:b>", "relative periods with their own term, e.g. -4:5")
    .option("--ref <k>", "reference period(s), comma-separated", "-1")
    .option("--bin", "bin the endpoints of the window (same as --endpoints bin, the default with --window)")
    .option("--endpoints <how>", "outside the window: bin (endpoints absorb), trim (drop), none (no dummy)");
  addRegressionOptions(addDidColumns(cmd)).action(
    action(async (f: EventFlags) => {
      const o: EventOptions = didColumnsFrom(f);
      if (f.window !== undefined) o.window = parseWindow(f.window);
      o.ref = (f.ref ?? "-1").split(",").map((s) => {
        const v = Number(s.trim());
        if (s.trim() === "" || !Number.isInteger(v)) throw usageError(`--ref must be integer relative period(s), got '${f.ref}'`);
        return v;
      });
      if (f.bin && f.endpoints && f.endpoints !== "bin") throw usageError(`--bin contradicts --endpoints ${f.endpoints}`);
      const ep = f.bin ? "bin" : f.endpoints;
      if (ep !== undefined) {
        if (ep !== "bin" && ep !== "trim" && ep !== "none") throw usageError(`--endpoints must be bin, trim or none, got '${ep}'`);
        o.endpoints = ep;
      }
      const r = await eventAnalysis(o);
      await emitRegression(r, f);
    }),
  );
}
