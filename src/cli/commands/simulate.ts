/** `keytech simulate`: write the simulated paper world (CSV files + truth.json) into a folder. */
import type { Command } from "commander";
import { action } from "../run.js";
import { out } from "../io.js";
import { usageError } from "../../core/errors.js";
import { defaultSimOptions, simulatePaperWorld, writePaperWorld } from "../../sim/simulate.js";

function num(name: string, v: string | undefined, dflt: number): number {
  if (v === undefined) return dflt;
  const x = Number(v);
  if (!Number.isFinite(x)) throw usageError(`--${name} must be a number, got "${v}"`);
  return x;
}

export function registerSimulate(program: Command): void {
  program
    .command("simulate")
    .description("write a simulated dataset shaped like the reference study, with its true effects (from twin runs) in truth.json")
    .requiredOption("--out <dir>", "output folder")
    .option("--seed <n>", "random seed", String(defaultSimOptions.seed))
    .option("--effect <x>", "strength of the digital pilot's action on the patent process (1 = default, 0 = none)", String(defaultSimOptions.effect))
    .option("--dynamic <x>", "slope of the pilot's intensity in event time (0 = constant)", String(defaultSimOptions.dynamic))
    .option("--heterogeneity <x>", "heterogeneity of the pilot's intensity in night lights (0 = none)", String(defaultSimOptions.heterogeneity))
    .option("--noise <x>", "sd of the county-year shock to the log filing rate", String(defaultSimOptions.noise))
    .option("--patents <x>", "mean key-digital patents per county-year in 2000", String(defaultSimOptions.patentsPerCountyYear))
    .option("--no-policy-twins", "skip the twin runs of the concurrent policies (their truth is then null)")
    .option("--json", "print the file list and true effects as JSON")
    .action(
      action(async (opts: Record<string, string | boolean | undefined>) => {
        const seed = num("seed", opts.seed as string, defaultSimOptions.seed);
        const world = await simulatePaperWorld({
          seed,
          effect: num("effect", opts.effect as string, defaultSimOptions.effect),
          dynamic: num("dynamic", opts.dynamic as string, defaultSimOptions.dynamic),
          heterogeneity: num("heterogeneity", opts.heterogeneity as string, defaultSimOptions.heterogeneity),
          noise: num("noise", opts.noise as string, defaultSimOptions.noise),
          patentsPerCountyYear: num("patents", opts.patents as string, defaultSimOptions.patentsPerCountyYear),
          policyTwins: opts.policyTwins !== false,
        });
        const files = await writePaperWorld(world, opts.out as string);
        if (opts.json) out(JSON.stringify({ files, truth: world.truth }, null, 2) + "\n");
        else {
          out(`simulated paper world (seed ${seed}): ${world.counties.length} counties × ${world.years.length} years, ${world.patents.length} patents\n`);
          for (const [k, v] of Object.entries(files)) out(`  ${k.padEnd(9)} ${v}\n`);
          out(`true ATT on keytech (twin run, pilot off): ${(world.truth.att as number).toFixed(4)}\n`);
        }
      }),
    );
}
