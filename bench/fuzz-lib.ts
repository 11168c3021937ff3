/**
 * Seeded fuzzing of keytech's loaders (issue #14): the panel reader (CSV bytes) and the formula parser;
 * the patents reader (CSV, Parquet, USPTO XML) and the study spec loader are in fuzz-loaders.ts.
 * Each input is derived from (seed, index) alone, so a run can resume after a hang at the next index and
 * any finding can be replayed. An input's outcome is `ok` (accepted), `error` (a KeytechError with a
 * one-line, escaped message: the clear refusal we want) or `crash` (any other exception, or a message
 * holding a stack trace or raw control bytes). Hangs are detected by the runner (fuzz-run.ts), which runs
 * the inputs in a worker thread under a per-input time limit.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { Rng } from "../src/core/rng.js";
import { KeytechError } from "../src/core/errors.js";
import { feolsAnalysis } from "../src/analyses/feols.js";

import { runExtraInput, type ExtraLoader } from "./fuzz-loaders.js";

export type Loader = "csv" | "formula" | ExtraLoader;
// spelled out (not spread from fuzz-loaders.ts, which imports this module: no top-level use across the cycle)
export const LOADERS: readonly Loader[] = ["csv", "formula", "patents-csv", "patents-parquet", "patents-xml", "spec"];
/** `unclear`: a KeytechError that does not name the input file (the patents and spec loaders must). */
export type Outcome = "ok" | "error" | "unclear" | "crash";

/** The undamaged panel: 12 units × 5 years, a quoted text column, missing cells. */
export function basePanel(): string {
  const rng = new Rng(7);
  const lines = ["unit,time,x,y,z,g,name"];
  for (let u = 1; u <= 12; u++)
    for (let t = 2001; t <= 2005; t++) {
      const x = rng.normal();
      const z = (u * t) % 7 === 0 ? "" : (rng.normal() * 10).toFixed(3);
      lines.push(`${u},${t},${x.toFixed(6)},${(1.5 * x + rng.normal()).toFixed(6)},${z},${u % 3},"unit ${u}, ok"`);
    }
  return lines.join("\n") + "\n";
}

const BASE_FORMULAS = [
  "y ~ x | unit + time",
  "y ~ x + z | unit",
  "y ~ x:z + i(g, ref = 0) | time",
  "y ~ log(z) + I(x^2) | unit^g",
  "y ~ x + i(time, x, ref = c(2001, 2002)) | unit[x] + time",
  "y ~ x*z - 1",
  "y ~ sqrt(abs) + exp(x / 2) | unit[[time]]",
];

const FORMULA_TOKENS = [
  "(",
  ")",
  "|",
  "~",
  "^",
  ":",
  "*",
  "+",
  "-",
  "/",
  ",",
  "=",
  "i(",
  "ref =",
  "keep =",
  "c(",
  "[",
  "]",
  "[[",
  "]]",
  "log(",
  "I(",
  "exp(",
  "sqrt(",
  "\u0000",
  "\u001b[31m",
  "\u202e",
  "x",
  "y",
  "unit",
  "time",
  "g",
  "z",
  '"',
  "'",
  "-1",
  "0",
  "1e309",
  "NaN",
  " ",
  "\n",
  "é",
  "\ud800",
  "`",
  "::",
  "%in%",
];

const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[rng.int(xs.length)]!;

/** One mutated CSV: bit flips, truncation, inserted delimiters/quotes/NUL/invalid UTF-8, header damage, compression. */
export function mutateCsv(base: Buffer, rng: Rng): { bytes: Buffer; ext: string } {
  let b = Buffer.from(base);
  const rounds = 1 + rng.int(3);
  let ext = ".csv";
  for (let r = 0; r < rounds; r++) {
    const at = rng.int(b.length + 1);
    switch (rng.int(12)) {
      case 0: // bit flips
        for (let k = 0, m = 1 + rng.int(4); k < m && b.length; k++) {
          const i = rng.int(b.length);
          b[i] = b[i]! ^ (1 << rng.int(8));
        }
        break;
      case 1: // truncation
        b = b.subarray(0, at);
        break;
      case 2: // inserted delimiter / quote / newline / CR
        b = Buffer.concat([b.subarray(0, at), Buffer.from(pick(rng, [",", '"', "\n", "\r", "\r\n", ",,", '""', "\t", ";"])), b.subarray(at)]);
        break;
      case 3: // NUL or other control bytes
        b = Buffer.concat([b.subarray(0, at), Buffer.from([pick(rng, [0, 1, 7, 8, 0x1b, 0x7f, 0x0c])]), b.subarray(at)]);
        break;
      case 4: // invalid UTF-8
        b = Buffer.concat([
          b.subarray(0, at),
          Buffer.from(pick(rng, [[0xff], [0xc3], [0xe2, 0x82], [0xed, 0xa0, 0x80], [0xc0, 0xaf], [0xfe, 0xff], [0xef, 0xbb, 0xbf]])),
          b.subarray(at),
        ]);
        break;
      case 5: {
        // header damage: rename a column to a copy of another, drop a name, empty or garbage header
        const nl = b.indexOf(10);
        const head = (nl < 0 ? b : b.subarray(0, nl)).toString("latin1").split(",");
        const k = rng.int(5);
        if (k === 0 && head.length > 1) head[rng.int(head.length)] = head[rng.int(head.length)]!;
        else if (k === 1) head.splice(rng.int(head.length), 1);
        else if (k === 2) head.length = 0;
        else if (k === 3) head.push(pick(rng, ["", "y", '"x', "a b", "\u0000"]));
        else head[rng.int(head.length)] = pick(rng, ["", " ", '"', "NA", "unit", "1"]);
        b = Buffer.concat([Buffer.from(head.join(","), "latin1"), nl < 0 ? Buffer.alloc(0) : b.subarray(nl)]);
        break;
      }
      case 6: {
        // a line duplicated or deleted
        const lines = b.toString("latin1").split("\n");
        const i = rng.int(lines.length);
        if (rng.int(2)) lines.splice(i, 0, lines[i]!);
        else lines.splice(i, 1);
        b = Buffer.from(lines.join("\n"), "latin1");
        break;
      }
      case 7: // a value replaced by text / infinity / huge number
        b = Buffer.concat([b.subarray(0, at), Buffer.from(pick(rng, ["abc", "Inf", "-inf", "1e999", "NA", ".", "1,5", "0x10", " ", "∞"])), b.subarray(at)]);
        break;
      case 8: // binary garbage block
        b = Buffer.concat([b.subarray(0, at), Buffer.from(Array.from({ length: 1 + rng.int(16) }, () => rng.int(256))), b.subarray(at)]);
        break;
      case 9: // gzip, sometimes truncated, sometimes misnamed
        b = gzipSync(b);
        if (rng.int(2)) b = b.subarray(0, rng.int(b.length));
        ext = rng.int(3) ? ".csv.gz" : ".csv";
        break;
      case 10: // nearly empty
        b = Buffer.from(pick(rng, ["", "\n", "\n\n", " \n", "unit,time,x,y\n", "\r\n", "\ufeff\n", '"']));
        break;
      default: // delete a byte range
        b = Buffer.concat([b.subarray(0, at), b.subarray(Math.min(b.length, at + 1 + rng.int(20)))]);
    }
  }
  return { bytes: b, ext };
}

/** One mutated formula: tokens inserted or deleted, truncation, pieces swapped. */
export function mutateFormula(rng: Rng): string {
  let f = pick(rng, BASE_FORMULAS);
  const rounds = 1 + rng.int(3);
  for (let r = 0; r < rounds; r++) {
    const at = rng.int(f.length + 1);
    switch (rng.int(5)) {
      case 0:
        f = f.slice(0, at) + pick(rng, FORMULA_TOKENS) + f.slice(at);
        break;
      case 1:
        f = f.slice(0, at) + f.slice(at + 1 + rng.int(4));
        break;
      case 2:
        f = f.slice(0, at);
        break;
      case 3: {
        const b = rng.int(f.length + 1);
        f = f.slice(0, Math.min(at, b)) + f.slice(Math.max(at, b)) + f.slice(Math.min(at, b), Math.max(at, b));
        break;
      }
      default:
        f = f.slice(0, at) + pick(rng, FORMULA_TOKENS) + pick(rng, FORMULA_TOKENS) + f.slice(at);
    }
  }
  return f;
}

/** A clear refusal: a KeytechError whose message is one escaped line without a stack trace. */
export function classify(e: unknown): { outcome: Outcome; message: string } {
  const message = e instanceof Error ? e.message : String(e);
  // eslint-disable-next-line no-control-regex -- raw control bytes in a message are the finding
  const raw = /[\u0000-\u0008\u000b-\u001f\u007f]/.test(message);
  const stack = /\n\s+at\s/.test(message);
  if (e instanceof KeytechError && !raw && !stack) return { outcome: "error", message };
  return { outcome: "crash", message: `${e instanceof Error ? e.name : typeof e}: ${message}`.slice(0, 400) };
}

/** Run input `index` of a loader (files go to `dir`). */
export async function runInput(loader: Loader, seed: number, index: number, dir: string, base: Buffer): Promise<{ outcome: Outcome; message: string }> {
  const rng = new Rng(seed).fork(index);
  const names: string[] = [];
  // a warning a library emits (process.emitWarning) reaches the terminal raw: a finding like a stack trace
  const warned: string[] = [];
  const onWarning = (w: Error): void => void (w.name !== "ExperimentalWarning" && warned.push(`${w.name}: ${w.message}`));
  process.on("warning", onWarning);
  const r = await runOne(loader, rng, index, dir, base, names);
  await new Promise((res) => setImmediate(res));
  process.off("warning", onWarning);
  return warned.length ? { outcome: "crash", message: `a raw Node warning reached stderr: ${warned[0]!.slice(0, 300)}` } : r;
}

async function runOne(loader: Loader, rng: Rng, index: number, dir: string, base: Buffer, names: string[]): Promise<{ outcome: Outcome; message: string }> {
  try {
    if (loader === "csv") {
      const { bytes, ext } = mutateCsv(base, rng);
      const p = join(dir, `in-${index % 4}${ext}`);
      writeFileSync(p, bytes);
      await feolsAnalysis({ data: p, formula: pick(rng, ["y ~ x | unit", "y ~ x + z | unit + time", "y ~ x"]) });
    } else if (loader !== "formula") {
      await runExtraInput(loader, rng, index, dir, names);
    } else {
      const p = join(dir, "base.csv");
      await feolsAnalysis({ data: p, formula: mutateFormula(rng) });
    }
    return { outcome: "ok", message: "" };
  } catch (e) {
    const r = classify(e);
    if (r.outcome === "error" && names.length && !names.some((n) => r.message.includes(n))) return { outcome: "unclear", message: r.message.slice(0, 400) };
    return r;
  }
}
