/** The commander program: global options and every command (each registered from its own file). */
import { Command, CommanderError } from "commander";
import { keytechVersion } from "../core/version.js";
import { registerAll } from "./commands/index.js";

export function buildProgram(): Command {
  const program = new Command();
  program
    .name("keytech")
    .description("Evaluate an innovation policy from patents, a region panel and a list of pilots.")
    .version(keytechVersion(), "-V, --version", "print the version")
    .showHelpAfterError()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) })
    .exitOverride((err: CommanderError) => {
      // Help and version exit 0; every other commander error is bad usage (exit 2, docs/CONTRACT.md).
      if (err.code === "commander.helpDisplayed" || err.code === "commander.version" || err.code === "commander.help") process.exit(0);
      process.exit(2);
    });
  registerAll(program);
  return program;
}
