/** `keytech table a.json b.json … [--format md|latex|html|csv] [--out F] [--keep terms] [--labels a=A,b=B]` */
import { readFileSync } from "node:fs";
import type { Command } from "commander";
import { inputError, usageError } from "../../core/errors.js";
import { writeFileAtomic } from "../../core/atomic.js";
import type { KeytechResult } from "../../core/result.js";
import { renderRegressionTable, type TableFormat } from "../../report/regression-table.js";
import { action } from "../run.js";
import { out } from "../io.js";
import { addFormat, splitList, TABLE_FORMATS } from "../flags.js";

/** Load a result JSON written by an estimation command (--json / --out). */
export function loadResult(path: string): KeytechResult {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    throw inputError("file not found; check the path", { file: path });
  }
  let r: unknown;
  try {
    r = JSON.parse(text);
  } catch (e) {
    throw inputError(`not valid JSON (${(e as Error).message}); pass files written by 'keytech … --json'`, { file: path });
  }
  const o = r as Partial<KeytechResult>;
  if (!o || typeof o !== "object" || !Array.isArray(o.estimates) || typeof o.nobs !== "number") {
    throw inputError("not a keytech result (no 'estimates' and 'nobs'); pass files written by 'keytech … --json'", { file: path });
  }
  return o as KeytechResult;
}

/** "a=Label A,b=Label B" → {a: "Label A", b: "Label B"}. */
export function parseLabels(s: string | undefined): Record<string, string> | undefined {
  if (s === undefined) return undefined;
  const out: Record<string, string> = {};
  for (const part of s.split(",")) {
    const k = part.indexOf("=");
    if (k <= 0) throw usageError(`--labels takes term=Label pairs separated by commas, got '${part}'`);
    out[part.slice(0, k).trim()] = part.slice(k + 1).trim();
  }
  return out;
}

export function registerTable(program: Command): void {
  const cmdFormat = program.command("table");
  cmdFormat.description("multi-model regression table from result JSON files").argument("<results...>", "result JSON files (keytech … --json)");
  addFormat(cmdFormat, TABLE_FORMATS.join(", ") + " (default: from the --out extension, else md)")
    .option("--out <file>", "write the table to this file instead of stdout")
    .option("--keep <terms>", "terms to show, comma-separated (exact names or /regex/)")
    .option("--labels <pairs>", "display labels: term=Label,…")
    .option("--titles <list>", "column titles, comma-separated (default: the outcome)")
    .option("--digits <d>", "decimals", "4")
    .action(
      action(async (files: string[], f: { format: string; out?: string; keep?: string; labels?: string; titles?: string; digits: string }) => {
        const formats: Record<string, TableFormat> = { md: "md", markdown: "md", latex: "latex", tex: "latex", html: "html", csv: "csv" };
        // --out decides the format by its extension (unless --format is given, which must then agree)
        let fmt = f.format.toLowerCase();
        if (f.out) {
          const m = /\.([^./\\]+)$/.exec(f.out);
          const byExt: Record<string, TableFormat> = {
            md: "md",
            markdown: "md",
            txt: "md",
            tex: "latex",
            latex: "latex",
            html: "html",
            htm: "html",
            csv: "csv",
          };
          const ext = m ? m[1]!.toLowerCase() : "";
          if (!byExt[ext])
            throw usageError(
              `--out ${f.out}: unknown table extension ${m ? `'.${m[1]}'` : "(none)"}; keytech writes .md, .tex, .html or .csv tables (no spreadsheets: open the .csv in Excel)`,
            );
          const given = cmdFormat.getOptionValueSource("format") === "cli";
          if (given && formats[fmt] && formats[fmt] !== byExt[ext])
            throw usageError(`--format ${f.format} disagrees with --out ${f.out} (a .${ext} file); drop --format or change the extension`);
          if (!given) fmt = byExt[ext]!;
        }
        if (!formats[fmt]) throw usageError(`--format must be md, latex, html or csv, got '${f.format}'`);
        const digits = Number(f.digits);
        if (!Number.isInteger(digits) || digits < 0 || digits > 12) throw usageError(`--digits must be an integer 0..12, got '${f.digits}'`);
        const models = files.map(loadResult);
        const opts: Parameters<typeof renderRegressionTable>[1] = { format: formats[fmt]!, digits };
        const keep = splitList(f.keep);
        if (keep.length) opts.keep = keep;
        const labels = parseLabels(f.labels);
        if (labels) opts.labels = labels;
        const titles = splitList(f.titles);
        if (titles.length) opts.titles = titles;
        const text = renderRegressionTable(models, opts);
        if (f.out) await writeFileAtomic(f.out, text);
        else out(text);
      }),
    );
}
