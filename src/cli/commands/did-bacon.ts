/** `keytech did bacon`: Goodman-Bacon decomposition of the TWFE DID coefficient (docs/CONTRACT.md). */
import type { Command } from "commander";
import { usageError } from "../../core/errors.js";
import { cohortFromTreatment } from "../../estimators/bacon.js";
import { baconAnalysis } from "../../analyses/bacon.js";
import { addJson, addPanelColumns } from "../flags.js";
import { action, emit } from "../run.js";
import { readDidPanel } from "../../data/panel.js";
import { longPanelInput } from "../../analyses/cs.js";
import { didPanelSpec, type DidColumnFlags } from "./did-cs.js";

interface BaconFlags extends Omit<DidColumnFlags, "cohort"> {
  cohort?: string;
  treat?: string;
}

export function registerDidBacon(did: Command): void {
  const cmd = addPanelColumns(
    did.command("bacon").description("Goodman-Bacon decomposition of the static TWFE DID coefficient into 2×2 comparisons and weights"),
    { cohort: "optional", treat: "optional", x: false },
  );
  addJson(cmd).action(
    action(async (o: BaconFlags) => {
      if (!o.cohort === !o.treat) throw usageError("give exactly one of --cohort or --treat");
      const flags: DidColumnFlags = { ...o, cohort: o.cohort ?? o.treat! };
      const panel = await readDidPanel({ ...didPanelSpec(flags), cohort: o.cohort, treat: o.treat });
      const input = longPanelInput(panel),
        inputs = panel.inputs;
      if (o.treat) input.cohort = cohortFromTreatment(input.unit, input.time, panel.treat!, { file: o.data, column: o.treat });
      const res = baconAnalysis(input, { inputs, treatName: o.treat ?? null });
      emit(res, Boolean(o.json), () => {
        const lines = [
          `Goodman-Bacon decomposition, TWFE coefficient ${res.estimates[0]!.estimate!.toFixed(8)} (${String(res.n_units)} units × ${String(res.n_periods)} periods; standard errors: none, a decomposition)`,
          "",
        ];
        lines.push(`  ${"type".padEnd(26)} ${"weight".padStart(9)} ${"avg 2×2".padStart(11)}`);
        for (const t of res.by_type ?? []) lines.push(`  ${t.type.padEnd(26)} ${t.weight.toFixed(5).padStart(9)} ${t.estimate.toFixed(5).padStart(11)}`);
        lines.push("", `  ${"treated".padEnd(8)} ${"control".padEnd(8)} ${"type".padEnd(26)} ${"2×2".padStart(10)} ${"weight".padStart(9)}`);
        for (const c of res.comparisons ?? [])
          lines.push(
            `  ${String(c.treated).padEnd(8)} ${String(c.control === 0 ? "never" : c.control).padEnd(8)} ${c.type.padEnd(26)} ${c.estimate.toFixed(5).padStart(10)} ${c.weight.toFixed(5).padStart(9)}`,
          );
        return lines.join("\n") + "\n";
      });
    }),
  );
}
