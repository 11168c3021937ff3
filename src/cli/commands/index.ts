/** Every command of the CLI, one file each; add a line here when a command lands. */
import type { Command } from "commander";
import { registerDea } from "./dea.js";
import { registerDidSdid } from "./did-sdid.js";
import { registerDidPlacebo } from "./did-placebo.js";
import { registerDidPermute } from "./did-permute.js";

export function registerAll(program: Command): void {
  const did = program.command("did").description("difference-in-differences estimators");
  void did;
  registerDidSdid(did);
  registerDidPlacebo(did);
  registerDidPermute(did);
  registerDea(program);
}
