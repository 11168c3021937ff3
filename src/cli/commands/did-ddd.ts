/** `keytech did ddd`: triple difference with a second treated group (docs/CONTRACT.md). */
import type { Command } from "commander";
import { loadStaggered } from "../../analyses/imputation.js";
import { dddAnalysis } from "../../analyses/ddd.js";
import { addStaggeredColumns, staggeredColumns, type StaggeredFlags } from "../flags.js";
import { action, emit, estimateTable } from "../run.js";

interface Flags extends StaggeredFlags {
  group2: string;
}

export function registerDidDdd(did: Command): void {
  addStaggeredColumns(
    did.command("ddd").description("triple difference: digital pilots (--cohort) against a second treated group (--group2), unit + period FEs"),
  )
    .requiredOption("--group2 <col>", "first treated period of the second treated group (e.g. non-digital pilots; 0 or empty = not in it)")
    .action(
      action(async (o: Flags) => {
        const d = await loadStaggered({ ...staggeredColumns(o), extraCohorts: [o.group2] });
        const res = dddAnalysis(d, o.group2);
        emit(res, Boolean(o.json), () => estimateTable(res, `Triple difference (${o.cohort} vs ${o.group2}), outcome ${o.y}`));
      }),
    );
}
