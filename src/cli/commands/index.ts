/** Every command of the CLI, one file each; add a line here when a command lands. */
import type { Command } from "commander";
import { registerDea } from "./dea.js";
import { registerDidImputation } from "./did-imputation.js";
import { registerDidStacked } from "./did-stacked.js";
import { registerDidDdd } from "./did-ddd.js";

export function registerAll(program: Command): void {
  const did = program.command("did").description("difference-in-differences estimators");
  void did;
  registerDidImputation(did);
  registerDidStacked(did);
  registerDidDdd(did);
  registerDea(program);
}
