/** `keytech plot RESULT.json`: draw any event-study or coefficient result as SVG and PNG (thin wrapper). */
import type { Command } from "commander";
import { readFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { action } from "../run.js";
import { out } from "../io.js";
import { inputError, usageError } from "../../core/errors.js";

export function registerPlot(program: Command): void {
  program
    .command("plot")
    .description("draw a result JSON (did event / cs / sunab / imputation / stacked, feols, …): an event-study plot or a coefficient plot, SVG + PNG")
    .argument("<result>", "a result JSON written by any estimation command with --json")
    .option("--out <stem>", "output path, with or without .svg/.png: both are written (default: the result's path without .json)")
    .option("--keep <regex>", "only terms matching this regular expression")
    .option("--ref <k>", "reference period drawn at 0 in regression event studies", "-1")
    .option("--kind <kind>", "auto | event | coef", "auto")
    .option("--title <text>", "figure title")
    .option("--json", "print the written files as JSON")
    .action(
      action(async (file: string, o: { out?: string; keep?: string; ref: string; kind: string; title?: string; json?: boolean }) => {
        let r: unknown;
        try {
          r = JSON.parse(readFileSync(file, "utf8"));
        } catch (e) {
          throw inputError(`not a readable result JSON: ${(e as Error).message.split("\n")[0]}`, { file });
        }
        if (!r || typeof r !== "object" || !Array.isArray((r as { estimates?: unknown }).estimates))
          throw inputError('not a keytech result: no "estimates" list (write one with --json)', { file });
        const ref = Number(o.ref);
        if (!Number.isInteger(ref)) throw usageError(`--ref must be an integer, got '${o.ref}'`);
        if (!["auto", "event", "coef"].includes(o.kind)) throw usageError(`--kind must be auto, event or coef, got '${o.kind}'`);
        let keep: RegExp | undefined;
        if (o.keep) {
          try {
            keep = new RegExp(o.keep);
          } catch {
            throw usageError(`--keep is not a regular expression: ${o.keep}`);
          }
        }
        const { resultFigure } = await import("../../report/plot-result.js");
        const { writeFigure } = await import("../../report/figures/index.js");
        const fig = resultFigure(r as never, { ref, kind: o.kind as "auto", ...(keep ? { keep } : {}), ...(o.title ? { title: o.title } : {}) });
        if (fig.points === 0) throw inputError("nothing to plot: no estimate (check --keep)", { file });
        // --out ev.svg or ev.png names the stem too (both files are written: ev.svg and ev.png)
        const stem = o.out !== undefined ? o.out.replace(/\.(svg|png)$/i, "") : join(dirname(file), basename(file).replace(/\.json$/i, ""));
        const { files } = await writeFigure(fig.spec, dirname(stem), basename(stem));
        if (o.json) out(JSON.stringify({ kind: fig.kind, points: fig.points, svg: files[0], png: files[1] }, null, 2) + "\n");
        else out(`${fig.kind} plot (${fig.points} points): ${files[0]}, ${files[1]}\n`);
      }),
    );
}
