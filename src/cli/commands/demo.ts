/**
 * `keytech demo`: simulate the paper world, run the full reference-study spec on it and write the report
 * (the README's first command). The report says plainly that the data are simulated and shows the true
 * effects next to the estimates.
 */
import type { Command } from "commander";
import { join } from "node:path";
import { action, loadStudyModules } from "../run.js";
import { err, out, setExitCode } from "../io.js";
import { usageError } from "../../core/errors.js";
import { writeFileAtomic } from "../../core/atomic.js";
import { rmSync } from "node:fs";
import { availableParallelism, loadavg } from "node:os";
import { defaultSimOptions, generatePaperWorld, twinThreads, twinTruth, writePaperWorld, writeTruth } from "../../sim/simulate.js";

export function registerDemo(program: Command): void {
  program
    .command("demo")
    .description("simulate a dataset shaped like the reference study, run the whole study on it and write the report")
    .option("--out <dir>", "output folder", "keytech-demo")
    .option("--seed <n>", "seed of the simulated world", String(defaultSimOptions.seed))
    .option("--effect <x>", "strength of the digital pilots' action on the patent process (1 = default, 0 = none)", String(defaultSimOptions.effect))
    .option("--quick", "minimal replications and fewer patents (a smoke test of the whole pipeline)")
    .action(
      action(async (opts: { out: string; seed: string; effect: string; quick?: boolean }) => {
        const seed = Number(opts.seed),
          effect = Number(opts.effect);
        if (!Number.isInteger(seed) || seed < 0) throw usageError(`--seed must be a non-negative integer, got "${opts.seed}"`);
        if (!Number.isFinite(effect) || effect < 0) throw usageError(`--effect must be a non-negative number, got "${opts.effect}"`);
        const t0 = performance.now();
        // the study's outputs are staged beside OUT and swapped in whole (data/ and study.yaml stay in OUT)
        const { beginOutputDir, commitOutputDir, abandonOutputDir } = await import("../../core/output-dir.js");
        const { loadSpec, runStudy, writeStudyReport, STUDY_OUTPUTS } = await loadStudyModules();
        const dirs = beginOutputDir(opts.out, STUDY_OUTPUTS);
        err(`simulating the paper world (seed ${seed}, pilot strength ${effect}) and its twin runs …\n`);
        const world = generatePaperWorld({ seed, effect, ...(opts.quick ? { patentsPerCountyYear: 0.4 } : {}) });
        const dataDir = join(opts.out, "data");
        const files = await writePaperWorld(world, dataDir);
        // the study's patents block takes the table of data/patents.csv from the records in memory (the same table a read gives)
        const { registerPatentTable } = await import("../../study/blocks/patents.js");
        const { worldPatentTableFor } = await import("../../sim/patent-table.js");
        const { sha256Path } = await import("../../core/hash.js");
        const unregister = registerPatentTable(files.patents, {
          sha256: await sha256Path(files.patents),
          table: (mapping, level) => worldPatentTableFor(world.patents, level, mapping),
        });
        const tWorld = performance.now();
        // The twin runs (the truth) go on in worker threads while the study runs: no block reads truth.json,
        // results.json and the report need it only at the end (runStudy's `late` inputs). Until it is written,
        // truth.json holds a note (the spec check wants the file).
        await writeFileAtomic(files.truth, '{"note": "keytech demo: the twin runs are still running"}\n');
        const f = (x: number) => (Number.isFinite(x) ? x.toFixed(3) : "n/a");
        let tTruth = 0;
        // On a quiet machine the truth worker runs at a lower priority (it has seconds of slack; the study's own
        // workers come first); on a loaded one it keeps the normal priority, else the other loads starve it.
        // KEYTECH_TWIN_BACKGROUND=1 / 0 forces either (benchmarks).
        const bgEnv = process.env.KEYTECH_TWIN_BACKGROUND;
        const background = bgEnv === "1" || (bgEnv !== "0" && loadavg()[0]! < availableParallelism());
        const truthRun = twinTruth(world, { threads: twinThreads(1), offMain: true, background }).then(async (t) => {
          await writeTruth(t, files.truth);
          tTruth = performance.now();
          err(`twin-run truth: ATT on KeyTech ${f((t as { att: number }).att)} (${((tTruth - t0) / 1000).toFixed(1)} s)\n`);
          return t;
        });
        truthRun.catch(() => {}); // awaited below (a failure is reported there, not as an unhandled rejection)
        const specPath = join(opts.out, "study.yaml");
        const { studyTemplate } = await import("../../study/spec-template.js");
        await writeFileAtomic(
          specPath,
          studyTemplate({ dataDir: "data", fast: true, quick: opts.quick ?? false, truth: true }).replace("seed: 20250101", `seed: ${seed}`),
        );
        let run;
        let tStudy: number;
        try {
          const spec = await loadSpec(specPath);
          run = await runStudy(spec, { outDir: dirs.staging, cacheDir: dirs.target, late: { truth: truthRun } });
          tStudy = performance.now();
          const truth = (await truthRun) as { att: number; mechanisms: { effect_on_mediator: Record<string, number> } };
          const eff = truth.mechanisms.effect_on_mediator;
          const simulatedNote = `They were generated by \`keytech demo\` (keytech simulate, seed ${seed}): ${world.counties.length} counties × ${world.years.length} years and ${world.patents.length} patent records (filed ${world.years[0]! - 3}–${world.years[world.years.length - 1]! + 2}). The panel holds no outcome: the study measures KeyTech and the mediators from the patents, and the digital pilot acts on the process that writes them — more key-digital filings, new combinations of emerging IPC fields, concentration in the city's fields, citations that stay in the city. The true values are those of a twin run (same seed, pilot switched off, every other draw identical) measured with the same options: an average effect of ${f(truth.att)} on KeyTech over the treated county-years, and ${f(eff.cospecialize!)} on co-specialisation, ${f(eff.diffusion!)} on diffusion and ${f(eff.efficiency!)} on allocation efficiency. The path-specific effects have no truth.`;
          await writeStudyReport(run, dirs.staging, { simulatedNote });
          commitOutputDir(dirs, STUDY_OUTPUTS);
        } catch (e) {
          abandonOutputDir(dirs);
          // no truth.json that only says the twin runs were running
          if (!tTruth) rmSync(files.truth, { force: true });
          throw e;
        } finally {
          unregister();
        }
        out(`report: ${join(opts.out, "report.html")}\n`);
        const s = (a: number, b: number) => `${((b - a) / 1000).toFixed(1)} s`;
        const tEnd = performance.now();
        err(
          `demo finished in ${s(t0, tEnd)} (world ${s(t0, tWorld)}, twin runs ${s(tWorld, tTruth)} alongside the study ${s(tWorld, tStudy)}, report ${s(tStudy, tEnd)}; spec: ${specPath}; data: ${dataDir})\n`,
        );
        if (run.failed > 0) setExitCode(1);
      }),
    );
}
