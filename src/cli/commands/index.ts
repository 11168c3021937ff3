/** Every command of the CLI, one file each; add a line here when a command lands. */
import type { Command } from "commander";
import { registerPatents } from "./patents.js";

export function registerAll(program: Command): void {
  const did = program.command("did").description("difference-in-differences estimators");
  void did;
  registerPatents(program);
}
