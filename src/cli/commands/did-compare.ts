/**
 * `keytech did compare`: TWFE event study, Callaway–Sant'Anna (dynamic), Sun–Abraham, BJS imputation and
 * stacked DID on one dataset, side by side (docs/CONTRACT.md): a comparison table (md | latex | html |
 * csv), the overlay event-study figure (SVG + PNG) and one JSON document with every estimator's result.
 */
import type { Command } from "commander";
import { usageError } from "../../core/errors.js";
import { COMPARE_ESTIMATORS, compareAnalysis, type CompareEstimator } from "../../analyses/compare.js";
import { parseWindow } from "../../analyses/event.js";
import { compareTable, writeCompareOutputs } from "../../report/compare.js";
import type { TableFormat } from "../../report/tables.js";
import { action, emit, printWarnings } from "../run.js";
import { addFormat, addRef, addStaggeredColumns, addWindow, staggeredColumns, type StaggeredFlags } from "../flags.js";
import { readDidPanel } from "../../data/panel.js";
import { longPanelInput } from "../../analyses/cs.js";
import { didPanelSpec } from "./did-cs.js";

interface Flags extends StaggeredFlags {
  window: string;
  ref: string;
  control: string;
  endpoints: string;
  estimators?: string;
  out?: string;
  format: string;
}

const FORMATS = ["md", "latex", "html", "csv"];

export function registerDidCompare(did: Command): void {
  const cmd = addStaggeredColumns(
    did
      .command("compare")
      .description("TWFE, Callaway–Sant'Anna, Sun–Abraham, imputation and stacked DID side by side: table, overlay event-study figure, JSON"),
  );
  addWindow(cmd, "event times shown, first:last (also the TWFE binning, the stacked window and the imputation horizons/leads)", "-4:5");
  addRef(cmd, "reference event time (stacked DID needs −1)")
    .option("--control <c>", "Callaway–Sant'Anna comparison group: never | notyet", "never")
    .option("--endpoints <how>", "TWFE event study outside the window: bin | trim | none", "bin")
    .option("--estimators <list>", `comma separated subset of ${COMPARE_ESTIMATORS.join(", ")} (default: all)`)
    .option("--out <dir>", "write compare.{md,tex,csv,html}, event_study_compare.{svg,png} and compare.json here");
  addFormat(cmd, "table printed on stdout: md | latex | html | csv");
  cmd.action(
    action(async (o: Flags) => {
      const window = parseWindow(o.window);
      const ref = Number(o.ref);
      if (o.ref.trim() === "" || !Number.isInteger(ref)) throw usageError(`--ref must be an integer event time, got '${o.ref}'`);
      if (o.control !== "never" && o.control !== "notyet") throw usageError(`--control must be never or notyet, got '${o.control}'`);
      if (o.endpoints !== "bin" && o.endpoints !== "trim" && o.endpoints !== "none")
        throw usageError(`--endpoints must be bin, trim or none, got '${o.endpoints}'`);
      if (!FORMATS.includes(o.format)) throw usageError(`--format must be md, latex, html or csv, got '${o.format}'`);
      let estimators: CompareEstimator[] | undefined;
      if (o.estimators !== undefined) {
        const names = o.estimators
          .split(",")
          .map((s) => s.trim())
          .filter((s) => s.length > 0);
        const bad = names.filter((s) => !(COMPARE_ESTIMATORS as readonly string[]).includes(s));
        if (bad.length || !names.length) throw usageError(`--estimators must list some of ${COMPARE_ESTIMATORS.join(", ")}, got '${o.estimators}'`);
        estimators = [...new Set(names)] as CompareEstimator[];
      }
      const panel = await readDidPanel(didPanelSpec(o));
      const input = longPanelInput(panel),
        inputs = panel.inputs;
      const res = await compareAnalysis({
        columns: staggeredColumns(o),
        window,
        ref,
        control: o.control,
        endpoints: o.endpoints,
        estimators,
        csInput: input,
        inputs,
      });
      printWarnings(res);
      const files = o.out ? await writeCompareOutputs(res, o.out) : null;
      const doc = files ? { ...res, files } : res;
      emit(
        doc,
        Boolean(o.json),
        () => compareTable(res, o.format as TableFormat) + (files ? `\nfiles: ${[...files.tables, ...files.figures, files.json].join(", ")}\n` : ""),
      );
    }),
  );
}
