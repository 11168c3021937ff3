/** `keytech study init` (commented template of the reference study) and `keytech study run SPEC --out DIR`. */
import type { Command } from "commander";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { action, loadStudyModules } from "../run.js";
import { err, out, setExitCode } from "../io.js";
import { usageError } from "../../core/errors.js";
import { writeFileAtomic } from "../../core/atomic.js";

export function registerStudy(program: Command): void {
  const study = program.command("study").description("a whole study from one spec file");
  study
    .command("init")
    .description("write a commented spec: the reference study's template, or (--panel) a spec guessed from a panel's columns")
    .option("--out <file>", "spec file to write", "study.yaml")
    .option("--force", "overwrite an existing file")
    .option("--panel <file>", "write a spec for this panel (CSV/Parquet): guesses unit, time, treatment and outcome")
    .option("--unit <col>", "with --panel: the unit column")
    .option("--time <col>", "with --panel: the time column")
    .option("--outcome <col>", "with --panel: the outcome column")
    .option("--cohort <col>", "with --panel: first treated period per unit (0/empty = never)")
    .option("--treatment <col>", "with --panel: absorbing 0/1 treatment column")
    .option("--controls <cols>", "with --panel: control columns, comma-separated")
    .option("--cluster <col>", "with --panel: cluster standard errors by this column (default: the unit)")
    .option("--title <text>", "with --panel: the study's title")
    .action(
      action(
        async (opts: {
          out: string;
          force?: boolean;
          panel?: string;
          unit?: string;
          time?: string;
          outcome?: string;
          cohort?: string;
          treatment?: string;
          controls?: string;
          cluster?: string;
          title?: string;
        }) => {
          if (existsSync(opts.out) && !opts.force) throw usageError(`${opts.out} exists; use --force to overwrite`);
          if (!opts.panel) {
            for (const f of ["unit", "time", "outcome", "cohort", "treatment", "controls", "cluster", "title"] as const)
              if (opts[f] !== undefined) throw usageError(`--${f} needs --panel FILE`);
            const { studyTemplate } = await import("../../study/spec-template.js");
            await writeFileAtomic(opts.out, studyTemplate());
            err(`wrote ${opts.out}\n`);
            return;
          }
          if (opts.cohort && opts.treatment) throw usageError("give --cohort or --treatment, not both");
          if (!existsSync(opts.panel)) throw usageError(`--panel ${opts.panel}: file not found`);
          const { guessPanel, panelSpecText } = await import("../../study/spec-from-panel.js");
          const g = await guessPanel(opts.panel, {
            ...(opts.unit ? { unit: opts.unit } : {}),
            ...(opts.time ? { time: opts.time } : {}),
            ...(opts.outcome ? { outcome: opts.outcome } : {}),
            ...(opts.cohort ? { cohort: opts.cohort } : {}),
            ...(opts.treatment ? { treatment: opts.treatment } : {}),
            ...(opts.controls
              ? {
                  controls: opts.controls
                    .split(",")
                    .map((c) => c.trim())
                    .filter(Boolean),
                }
              : {}),
            ...(opts.cluster ? { cluster: opts.cluster } : {}),
          });
          await writeFileAtomic(opts.out, panelSpecText(opts.panel, opts.out, g, opts.title));
          for (const r of g.reasons) err(`  ${r}\n`);
          err(`wrote ${opts.out}; run it with: keytech study run ${opts.out} --out results\n`);
        },
      ),
    );
  study
    .command("run")
    .description("run every block of SPEC; writes report.html, tables/, figures/, results.json into DIR")
    .argument("<spec>", "study spec (YAML)")
    .requiredOption("--out <dir>", "output folder (holds the block cache workspace.duckdb)")
    .option("--json", "print the run summary as JSON on stdout")
    .action(
      action(async (specPath: string, opts: { out: string; json?: boolean }) => {
        const { loadSpec, runStudy, writeStudyReport, STUDY_OUTPUTS } = await loadStudyModules();
        const spec = await loadSpec(specPath);
        const { beginOutputDir, commitOutputDir, abandonOutputDir } = await import("../../core/output-dir.js");
        // outputs are staged beside the folder and swapped in whole; the block cache stays in the folder
        const dirs = beginOutputDir(opts.out, STUDY_OUTPUTS);
        let run, files;
        try {
          run = await runStudy(spec, { outDir: dirs.staging, cacheDir: dirs.target });
          files = await writeStudyReport(run, dirs.staging);
          commitOutputDir(dirs, STUDY_OUTPUTS);
        } catch (e) {
          abandonOutputDir(dirs);
          throw e;
        }
        files = { ...files, html: join(opts.out, "report.html") };
        const summary = {
          report: files.html,
          results: `${opts.out}/results.json`,
          blocks: run.blocks.map((b) => ({ id: b.id, status: b.status, cached: b.cached, seconds: b.seconds, ...(b.error ? { error: b.error } : {}) })),
          failed: run.failed,
        };
        if (opts.json) out(JSON.stringify(summary, null, 2) + "\n");
        else out(`report: ${files.html}\n`);
        if (run.failed > 0) {
          err(
            `keytech: error: ${run.failed} block(s) failed: ${run.blocks
              .filter((b) => b.status === "failed")
              .map((b) => b.id)
              .join(", ")}\n`,
          );
          setExitCode(1);
        }
      }),
    );
}
