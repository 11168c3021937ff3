/** Every command of the CLI, one file each; add a line here when a command lands. */
import type { Command } from "commander";
import { registerDea } from "./dea.js";
import { registerDidCs } from "./did-cs.js";
import { registerDidBacon } from "./did-bacon.js";

export function registerAll(program: Command): void {
  const did = program.command("did").description("difference-in-differences estimators");
  void did;
  registerDidCs(did);
  registerDidBacon(did);
  registerDea(program);
}
