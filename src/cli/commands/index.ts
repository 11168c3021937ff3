/** Every command of the CLI, one file each; add a line here when a command lands. */
import type { Command } from "commander";
import { registerDea } from "./dea.js";
import { registerSimulate } from "./simulate.js";
import { registerStudy } from "./study.js";
import { registerDemo } from "./demo.js";

export function registerAll(program: Command): void {
  const did = program.command("did").description("difference-in-differences estimators");
  void did;
  registerDea(program);
  registerSimulate(program);
  registerStudy(program);
  registerDemo(program);
}
