/** The commander program: global options and every command (each registered from its own file). */
import { Command, CommanderError, type Option } from "commander";
import { printable, usageError } from "../core/errors.js";
import { keytechVersion } from "../core/version.js";
import { registerAll } from "./commands/index.js";
import { applyDeprecations } from "./flags.js";
import { err, out, withIo, type CommandIo } from "./io.js";
import { reportError } from "./run.js";

/** Largest seed keytech's generator keeps exactly (doubles hold integers up to 2^53 − 1; rng.ts mixes all 53 bits). */
export const MAX_SEED = Number.MAX_SAFE_INTEGER;
/** R's `set.seed` takes an R integer: at most 2^31 − 1 (`did honest` reproduces R's generator). */
export const MAX_R_SEED = 2147483647;

/** The full command name ("did honest"). */
function commandPath(cmd: Command): string {
  const names: string[] = [];
  for (let c: Command | null = cmd; c && c.parent; c = c.parent) names.unshift(c.name());
  return names.join(" ");
}

/** A --seed value: a decimal integer in [0, max], else a usage error (exit 2) — never silently rounded. */
export function checkSeed(v: unknown, max: number): void {
  if (v === undefined) return;
  const s = String(v).trim();
  if (!/^\d+$/.test(s) || BigInt(s) > BigInt(max))
    throw usageError(
      `--seed must be an integer in [0, ${max}], got '${printable(String(v))}' (larger or fractional seeds would be rounded to another seed and recorded wrongly in provenance)`,
    );
}

/** Options of `cmd` and its parents that may be given on the command line. */
function optionsOf(cmd: Command): Option[] {
  const out: Option[] = [];
  for (let c: Command | null = cmd; c; c = c.parent) out.push(...c.options);
  return out;
}

/**
 * Refuse an option given twice (`--y a --y b`): commander keeps the last value without a word. Every
 * option of keytech takes one value (lists are comma-separated), so the rule holds for all of them.
 */
export function checkRepeats(cmd: Command, argv: string[]): void {
  const opts = optionsOf(cmd).filter((o) => !o.variadic);
  const seen = new Map<Option, number>();
  for (let i = 0; i < argv.length; i++) {
    const tok = argv[i]!;
    if (tok === "--") break;
    const eq = tok.indexOf("=");
    const flag = tok.startsWith("--") && eq > 0 ? tok.slice(0, eq) : tok;
    const o = opts.find((x) => x.long === flag || (x.short !== undefined && x.short === flag));
    if (!o) continue;
    const k = (seen.get(o) ?? 0) + 1;
    seen.set(o, k);
    if (k === 2) throw usageError(`${printable(o.long ?? o.short ?? flag)} given twice; give each option once (lists are comma-separated, e.g. --x a,b)`);
    if ((o.required || o.optional) && !(tok.startsWith("--") && eq > 0)) i++; // its value
  }
}

export function buildProgram(): Command {
  const program = new Command();
  program
    .name("keytech")
    .description("Evaluate an innovation policy from patents, a region panel and a list of pilots.")
    .version(keytechVersion(), "-V, --version", "print the version")
    .showHelpAfterError()
    // commander echoes flags and values: escape control bytes there too
    .configureOutput({ writeOut: (s) => out(s), writeErr: (s) => err(s.split("\n").map(printable).join("\n")) })
    // commander's errors are thrown (runCommand maps them: help and version 0, the rest 2)
    .exitOverride()
    .hook("preAction", (_root, actionCommand) => {
      // thrown errors reject parseAsync: main.ts reports them (exit 2 for usage)
      const path = commandPath(actionCommand);
      const argv = ((program as unknown as { rawArgs?: string[] }).rawArgs ?? process.argv).slice(2);
      // the tokens after the command's own name
      let at = 0;
      for (const w of path.split(" ")) at = argv.indexOf(w, at) + 1;
      checkRepeats(actionCommand, argv.slice(at));
      applyDeprecations(actionCommand);
      if (actionCommand.options.some((o) => o.long === "--seed"))
        checkSeed(actionCommand.getOptionValue("seed"), path === "did honest" ? MAX_R_SEED : MAX_SEED);
    });
  registerAll(program);
  return program;
}

/** Exit status of a commander error: help and version 0; every other is bad usage (2, docs/CONTRACT.md). */
function commanderExit(e: CommanderError): number {
  return e.code === "commander.helpDisplayed" || e.code === "commander.version" || e.code === "commander.help" ? 0 : 2;
}

/**
 * Run `keytech ARGV` (the words after `keytech`) with these output sinks and resolve to the exit status
 * (0 ok, 1 bad input or failed estimation, 2 bad usage). main.ts passes the process streams; tests pass
 * string collectors (io.ts bufferSink).
 */
export async function runCommand(argv: string[], io: CommandIo = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  return withIo(io, async () => {
    try {
      await buildProgram().parseAsync(["node", "keytech", ...argv]);
      return 0;
    } catch (e) {
      if (e instanceof CommanderError) return commanderExit(e);
      return reportError(e);
    }
  });
}
