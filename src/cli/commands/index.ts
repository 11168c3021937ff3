/** Every command of the CLI, one file each; add a line here when a command lands. */
import type { Command } from "commander";
import { registerDea } from "./dea.js";
import { registerDidSunab } from "./did-sunab.js";
import { registerFeols } from "./feols.js";
import { registerDidTwfe } from "./did-twfe.js";
import { registerDidEvent } from "./did-event.js";
import { registerTable } from "./table.js";
import { registerDidCs } from "./did-cs.js";
import { registerDidBacon } from "./did-bacon.js";
import { registerDidSdid } from "./did-sdid.js";
import { registerDidPlacebo } from "./did-placebo.js";
import { registerDidPermute } from "./did-permute.js";
import { registerPatents } from "./patents.js";
import { registerPaths } from "./paths.js";
import { registerSimulate } from "./simulate.js";
import { registerStudy } from "./study.js";
import { registerDemo } from "./demo.js";
import { registerDidImputation } from "./did-imputation.js";
import { registerDidStacked } from "./did-stacked.js";
import { registerDidDdd } from "./did-ddd.js";
import { registerDidCompare } from "./did-compare.js";
import { registerDidHonest } from "./did-honest.js";

export function registerAll(program: Command): void {
  const did = program.command("did").description("difference-in-differences estimators");
  void did;
  registerDidSunab(did);
  registerDidCs(did);
  registerDidBacon(did);
  registerDidSdid(did);
  registerDidPlacebo(did);
  registerDidPermute(did);
  registerDidImputation(did);
  registerDidStacked(did);
  registerDidDdd(did);
  registerDidCompare(did);
  registerDidHonest(did);
  registerDea(program);
  registerFeols(program);
  registerDidTwfe(did);
  registerDidEvent(did);
  registerTable(program);
  registerPatents(program);
  registerPaths(program);
  registerSimulate(program);
  registerStudy(program);
  registerDemo(program);
}
