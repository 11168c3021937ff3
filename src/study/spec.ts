/**
 * The study spec: one YAML file declaring inputs (with column mappings), the outcome, the main model and
 * the blocks to run with their options. Parsed with `yaml` (parseDocument keeps source ranges) and
 * validated with zod; every problem is reported as `FILE:LINE: key.path: message`, listing the allowed
 * keys or values, and all problems are reported at once.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, isAbsolute, resolve, basename } from "node:path";
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, visit, type Document, type Node } from "yaml";
import { z } from "zod";
import { inputError, usageError } from "../core/errors.js";
import { BLOCKS, blockById } from "./blocks/registry.js";
import { fileColumns } from "../data/read.js";
import { parseFormula } from "../formula/parse.js";
import { MEASURED_COLUMNS, measureOptionsSchema } from "./measure.js";
import { prettyName } from "../core/labels.js";
import { checkTextTable } from "../patents/precheck.js";
import { firstInvalidUtf8 } from "../data/precheck.js";

import { specBaseSchema, type StudySpec } from "./spec-schema.js";
export type { StudySpec } from "./spec-schema.js";

function blocksSchema() {
  const shape: Record<string, z.ZodType> = {};
  for (const b of BLOCKS) shape[b.id] = (b.options as z.ZodObject).optional();
  return z.strictObject(shape);
}

export const specSchema = specBaseSchema.extend({ blocks: blocksSchema() });

/** One located problem in a spec. */
export interface SpecIssue {
  line: number;
  path: string;
  message: string;
}

function pathText(path: (string | number)[]): string {
  let s = "";
  for (const p of path) s += typeof p === "number" ? `[${p}]` : s ? "." + p : p;
  return s || "(top level)";
}

function describe(v: unknown): string {
  if (v === null || v === undefined) return "nothing";
  if (Array.isArray(v)) return `a list of ${v.length}`;
  if (typeof v === "object") return "a mapping";
  if (typeof v === "string") return `string "${v}"`;
  return `${typeof v} ${String(v)}`;
}

/** Line (1-based) of the node at `path`; for a missing node, the line of the closest existing key. */
function lineOf(doc: Document, lc: LineCounter, path: (string | number)[], key?: string): number {
  const keyLine = (node: unknown, k: string | number): number | null => {
    if (!isMap(node)) return null;
    const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && p.key.value === k);
    return pair && isScalar(pair.key) && pair.key.range ? lc.linePos(pair.key.range[0]).line : null;
  };
  const at = (k: number) => (k === 0 ? doc.contents : doc.getIn(path.slice(0, k), true)) as Node | null | undefined;
  const node = at(path.length);
  if (node) {
    if (key !== undefined) {
      const l = keyLine(node, key);
      if (l !== null) return l;
    }
    if (path.length > 0) {
      const l = keyLine(at(path.length - 1), path[path.length - 1]!);
      if (l !== null && !isMap(node) && !isSeq(node)) return l;
    }
    if (node.range) return lc.linePos(node.range[0]).line;
  }
  // missing: the line of the deepest existing ancestor's key
  for (let k = path.length - 1; k >= 1; k--) {
    const l = keyLine(at(k - 1), path[k - 1]!);
    if (l !== null && at(k)) return l;
  }
  return 1;
}

const TYPE_NAMES: Record<string, string> = {
  object: "a mapping",
  array: "a list",
  string: "a string",
  number: "a number",
  boolean: "true or false",
  int: "an integer",
};

function valueAt(raw: unknown, path: (string | number)[]): unknown {
  let v: unknown = raw;
  for (const p of path) {
    if (v === null || typeof v !== "object") return undefined;
    v = (v as Record<string | number, unknown>)[p];
  }
  return v;
}

function allowedKeys(path: (string | number)[]): string[] {
  // walk the schema shape along the path
  let s: z.ZodType = specSchema;
  for (const p of path) {
    const def = s as unknown as { unwrap?: () => z.ZodType; shape?: Record<string, z.ZodType>; element?: z.ZodType };
    let cur: z.ZodType = s;
    for (let i = 0; i < 5; i++) {
      const d = cur as unknown as { unwrap?: () => z.ZodType; def?: { innerType?: z.ZodType } };
      if (d.def?.innerType) cur = d.def.innerType;
      else break;
    }
    const c = cur as unknown as { shape?: Record<string, z.ZodType>; element?: z.ZodType };
    if (typeof p === "number" && c.element) s = c.element;
    else if (c.shape && typeof p === "string" && c.shape[p]) s = c.shape[p]!;
    else return [];
    void def;
  }
  let cur: z.ZodType = s;
  for (let i = 0; i < 5; i++) {
    const d = cur as unknown as { def?: { innerType?: z.ZodType } };
    if (d.def?.innerType) cur = d.def.innerType;
    else break;
  }
  const c = cur as unknown as { shape?: Record<string, z.ZodType> };
  return c.shape ? Object.keys(c.shape) : [];
}

function zodIssues(err: z.ZodError, doc: Document, lc: LineCounter, raw: unknown): SpecIssue[] {
  const out: SpecIssue[] = [];
  const walk = (issues: z.core.$ZodIssue[]) => {
    for (const is of issues) {
      const path = is.path.filter((p): p is string | number => typeof p !== "symbol");
      const value = valueAt(raw, path);
      switch (is.code) {
        case "unrecognized_keys": {
          const allowed = allowedKeys(path);
          for (const key of is.keys) {
            out.push({ line: lineOf(doc, lc, path, key), path: pathText([...path, key]), message: `unknown key; allowed keys: ${allowed.join(", ")}` });
          }
          break;
        }
        case "invalid_type": {
          if (value === undefined)
            out.push({
              line: lineOf(doc, lc, path),
              path: pathText(path),
              message: `required key is missing (expected ${TYPE_NAMES[is.expected] ?? is.expected})`,
            });
          else
            out.push({
              line: lineOf(doc, lc, path),
              path: pathText(path),
              message: `expected ${TYPE_NAMES[is.expected] ?? is.expected}, got ${describe(value)}`,
            });
          break;
        }
        case "invalid_value": {
          const vals = is.values.map((v) => String(v));
          out.push({ line: lineOf(doc, lc, path), path: pathText(path), message: `${describe(value)} is not allowed; allowed values: ${vals.join(", ")}` });
          break;
        }
        case "invalid_key": {
          walk(is.issues);
          break;
        }
        case "too_small":
        case "too_big": {
          const rel = is.code === "too_small" ? (is.inclusive ? "≥" : ">") : is.inclusive ? "≤" : "<";
          const what = is.origin === "string" ? "length" : is.origin === "array" ? "number of items" : "value";
          out.push({
            line: lineOf(doc, lc, path),
            path: pathText(path),
            message: `${what} must be ${rel} ${String(is.code === "too_small" ? is.minimum : is.maximum)}, got ${describe(value)}`,
          });
          break;
        }
        default:
          out.push({ line: lineOf(doc, lc, path), path: pathText(path), message: is.message });
      }
    }
  };
  walk(err.issues);
  return out;
}

function fail(file: string, issues: SpecIssue[]): never {
  issues.sort((a, b) => a.line - b.line || a.path.localeCompare(b.path));
  const name = basename(file);
  const text = issues.map((i) => `${name}:${i.line}: ${i.path}: ${i.message}`).join("\n");
  throw inputError(`invalid study spec ${file} (${issues.length} problem${issues.length > 1 ? "s" : ""}):\n${text}`);
}

/** Deeper than this (block indentation levels + open flow brackets) is refused before the YAML parser sees it. */
const MAX_NESTING = 64;

/**
 * The line where the spec first nests more than MAX_NESTING levels, or null. The YAML parser recurses per
 * level: thousands of levels overflow its stack (and 10^4 flow brackets have taken the process down). Open
 * brackets are counted everywhere (a real spec never has 64 unclosed ones, even inside strings); block levels
 * are the indentation columns of the enclosing lines (a "- " item opening one more).
 */
function tooDeep(text: string): number | null {
  const stack: number[] = [];
  let flow = 0;
  let line = 0;
  for (const l of text.split("\n")) {
    line++;
    let peak = flow;
    for (const ch of l) {
      if (ch === "[" || ch === "{") peak = Math.max(peak, ++flow);
      else if ((ch === "]" || ch === "}") && flow > 0) flow--;
    }
    if (peak > MAX_NESTING) return line;
    let pos = 0;
    while (l[pos] === " ") pos++;
    if (pos === l.length || l[pos] === "#" || l[pos] === "\r") continue;
    const cols: number[] = [];
    while (l[pos] === "-" && (l[pos + 1] === " " || pos + 1 === l.length)) {
      cols.push(pos);
      pos++;
      while (l[pos] === " ") pos++;
    }
    cols.push(pos);
    while (stack.length && stack[stack.length - 1]! >= cols[0]!) stack.pop();
    stack.push(...cols);
    if (stack.length + peak > MAX_NESTING) return line;
  }
  return null;
}

/** The first line (1-based) of `text` matching `re`, else 1. */
function lineMatching(text: string, re: RegExp): number {
  const m = re.exec(text);
  return m ? text.slice(0, m.index + m[0].length).split("\n").length : 1;
}

/** Bytes that are not UTF-8 text (a gzip file, another encoding): a located message instead of U+FFFD. */
function checkSpecBytes(b: Buffer, file: string): void {
  const name = basename(file);
  if (b[0] === 0x1f && b[1] === 0x8b) fail(file, [{ line: 1, path: "(file)", message: "the file is gzip-compressed, not YAML text: decompress it (gunzip)" }]);
  const bad = firstInvalidUtf8(b);
  if (bad >= 0) {
    let line = 1;
    for (let i = 0; i < bad; i++) if (b[i] === 10) line++;
    const hex = "0x" + b[bad]!.toString(16).toUpperCase().padStart(2, "0");
    const utf8 = name.replace(/(\.[^.]*)?$/, (e) => ".utf8" + (e || ""));
    fail(file, [
      {
        line,
        path: "(file)",
        message: `invalid UTF-8 byte ${hex} (byte offset ${bad}); the spec must be UTF-8 text: re-encode it, e.g. iconv -f CP1252 -t UTF-8 ${name} > ${utf8} (or -f GB18030 for a Chinese-locale file)`,
      },
    ]);
  }
}

/** Parse + validate a spec text (no file-system checks). `file` is used for messages and relative paths. */
export function parseSpec(text: string, file: string): { spec: StudySpec; doc: Document; lc: LineCounter } {
  const deep = tooDeep(text);
  if (deep !== null)
    fail(file, [
      {
        line: deep,
        path: "(yaml)",
        message: `nested more than ${MAX_NESTING} levels deep; a study spec needs a few levels: check the brackets and the indentation`,
      },
    ]);
  const lc = new LineCounter();
  // logLevel "error": the library's own warnings (process.emitWarning) never reach the terminal raw
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true, logLevel: "error" });
  if (doc.errors.length) {
    fail(
      file,
      doc.errors.map((e) => ({ line: e.linePos?.[0]?.line ?? lc.linePos(e.pos[0]).line, path: "(yaml)", message: e.message.split("\n")[0]! })),
    );
  }
  // a list or mapping as a key ("? [a, b]"): JavaScript objects cannot hold it (it would become the text "[ a, b ]")
  const complexKeys: SpecIssue[] = [];
  visit(doc, {
    Pair(_, pair) {
      if (isMap(pair.key) || isSeq(pair.key))
        complexKeys.push({
          line: pair.key.range ? lc.linePos(pair.key.range[0]).line : 1,
          path: "(yaml)",
          message: "a key must be a name, not a list or a mapping; write it as a plain key",
        });
    },
  });
  if (complexKeys.length) fail(file, complexKeys);
  let raw: unknown;
  try {
    raw = doc.toJS();
  } catch (e) {
    // aliases: one that expands without bound (a "billion laughs"), or one whose anchor is not defined before it
    const msg = e instanceof Error ? e.message : String(e);
    const unresolved = /^Unresolved alias.*: (.*)$/.exec(msg);
    if (unresolved) {
      const a = unresolved[1]!;
      const esc = a.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
      fail(file, [
        {
          line: lineMatching(text, new RegExp(`(^|[\\s\\[{,])\\*${esc}(?![^\\s\\]},])`, "m")),
          path: "(yaml)",
          message: `alias *${a} has no anchor &${a} before it; define the anchor first or write the value out`,
        },
      ]);
    }
    if (/alias count/i.test(msg))
      fail(file, [
        {
          line: lineMatching(text, /(^|[\s[{,])\*[^\s\]},]+/m),
          path: "(yaml)",
          message: "the aliases (*name) expand to too many values (more than 100 copies); write the values out instead of nesting aliases",
        },
      ]);
    fail(file, [{ line: 1, path: "(yaml)", message: `cannot build the spec from the YAML: ${msg.split("\n")[0]}` }]);
  }
  if (raw === null || typeof raw !== "object" || Array.isArray(raw))
    fail(file, [{ line: 1, path: "(top level)", message: "the spec must be a mapping (key: value lines)" }]);
  const r = specSchema.safeParse(raw);
  if (!r.success) fail(file, zodIssues(r.error, doc, lc, raw));
  const formula = (r.data as { model?: { formula?: string } }).model?.formula;
  if (formula !== undefined) {
    try {
      parseFormula(formula);
    } catch (e) {
      fail(file, [{ line: lineOf(doc, lc, ["model", "formula"]), path: "model.formula", message: (e as Error).message }]);
    }
  }
  const base = dirname(resolve(file));
  const parsed = r.data;
  const blocks = parsed.blocks as Record<string, { enabled?: boolean } | undefined>;
  // inputs.patents switches the measure stage on unless it is disabled explicitly
  if (parsed.inputs.patents && !blocks.patents) blocks.patents = measureOptionsSchema.parse({});
  const measured = !!parsed.inputs.patents && blocks.patents?.enabled !== false;
  const column = parsed.outcome.column ?? (measured ? "keytech" : undefined);
  if (column === undefined)
    fail(file, [
      {
        line: lineOf(doc, lc, [], "outcome"),
        path: "outcome.column",
        message: "required key is missing: name the outcome's panel column, or give inputs.patents to measure it (KeyTech)",
      },
    ]);
  const source = measured && (MEASURED_COLUMNS as readonly string[]).includes(column) ? "patents" : "panel";
  const label = parsed.outcome.label ?? (source === "patents" ? "KeyTech" : (parsed.labels.variables[column] ?? prettyName(column)));
  const spec = { ...parsed, outcome: { column, label, source } } as StudySpec;
  spec.path = resolve(file);
  for (const v of Object.values(spec.inputs)) if (v && typeof v === "object" && "file" in v && v.file && !isAbsolute(v.file)) v.file = resolve(base, v.file);
  spec.enabled = BLOCKS.filter((b) => blocks[b.id] && blocks[b.id]!.enabled !== false).map((b) => b.id);
  return { spec, doc, lc };
}

/** Parse, validate and check a spec file against the file system (files exist, columns exist). */
export async function loadSpec(file: string): Promise<StudySpec> {
  if (!existsSync(file)) throw inputError(`study spec not found: ${file}`, { file });
  if (statSync(file).isDirectory())
    throw usageError(`${file}: is a folder, not a study spec; give the spec file (e.g. study.yaml; \`keytech study init\` writes one)`);
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    throw inputError(`cannot read the study spec (${(e as NodeJS.ErrnoException).code ?? String(e)}): check that it is a file you may read`, { file });
  }
  checkSpecBytes(bytes, file);
  const { spec, doc, lc } = parseSpec(bytes.toString("utf8"), file);
  const issues: SpecIssue[] = [];
  const columns: Record<string, string[]> = {};
  for (const [key, v] of Object.entries(spec.inputs)) {
    if (!v || typeof v !== "object" || !("file" in v)) continue;
    const p = ["inputs", key, "file"];
    if (!existsSync(v.file)) {
      issues.push({ line: lineOf(doc, lc, p), path: pathText(p), message: `file not found: ${v.file}` });
      continue;
    }
    if (key === "taxonomy" || key === "truth") continue;
    // a PatentsView folder or USPTO XML has no single header to check; the reader checks it
    if (key === "patents" && (statSync(v.file).isDirectory() || /\.xml$/i.test(v.file))) continue;
    try {
      // bytes first (invalid UTF-8, NUL, gzip or an .xlsx under a .csv name): a located message, not DuckDB's
      if (/\.(csv|tsv|txt)(\.gz)?$/i.test(v.file)) await checkTextTable(v.file);
      columns[key] = await fileColumns(v.file);
    } catch (e) {
      issues.push({ line: lineOf(doc, lc, p), path: pathText(p), message: `cannot read ${v.file}: ${(e as Error).message.split("\n")[0]}` });
    }
  }
  const need = (input: string, path: (string | number)[], column: string | undefined) => {
    if (column === undefined || !columns[input]) return;
    if (!columns[input].includes(column)) {
      const list = columns[input].length > 12 ? columns[input].slice(0, 12).join(", ") + ", …" : columns[input].join(", ");
      issues.push({
        line: lineOf(doc, lc, path),
        path: pathText(path),
        message: `column "${column}" is not in ${basename(spec.inputs[input as "panel"]!.file)} (columns: ${list})`,
      });
    }
  };
  const inp = spec.inputs;
  need("panel", ["inputs", "panel", "unit"], inp.panel.unit);
  need("panel", ["inputs", "panel", "time"], inp.panel.time);
  if (inp.units) {
    need("units", ["inputs", "units", "unit"], inp.units.unit);
    for (const [k, c] of Object.entries(inp.units.flags)) need("units", ["inputs", "units", "flags", k], c as string | undefined);
  }
  need("panel", ["inputs", "panel", "cohort"], inp.panel.cohort);
  need("panel", ["inputs", "panel", "treatment"], inp.panel.treatment);
  const sources = [
    inp.policies ? "inputs.policies" : "",
    inp.panel.cohort ? "inputs.panel.cohort" : "",
    inp.panel.treatment ? "inputs.panel.treatment" : "",
  ].filter(Boolean);
  if (sources.length !== 1)
    issues.push({
      line: lineOf(doc, lc, [], "inputs"),
      path: "inputs",
      message: sources.length
        ? `the treatment is given ${sources.length} times (${sources.join(", ")}); keep one`
        : "no treatment: give inputs.policies (a policy list), or inputs.panel.cohort (first treated period) or inputs.panel.treatment (0/1 column)",
    });
  if (inp.policies) for (const k of ["unit", "program", "year"] as const) need("policies", ["inputs", "policies", k], inp.policies[k]);
  if (inp.patents)
    for (const k of ["id", "date", "year", "unit", "ipc", "cited", "applicant"] as const) need("patents", ["inputs", "patents", k], inp.patents[k]);
  const measured = spec.enabled.includes("patents") && inp.patents ? new Set<string>(MEASURED_COLUMNS) : new Set<string>();
  if (measured.size && columns.panel) {
    for (const c of columns.panel)
      if (measured.has(c))
        issues.push({
          line: lineOf(doc, lc, ["inputs", "panel", "file"]),
          path: "inputs.panel.file",
          message: `column "${c}" of ${basename(inp.panel.file)} has the name of a column measured from inputs.patents; rename it in the panel (or set blocks.patents.enabled: false to use the panel's column)`,
        });
  }
  if (!measured.has(spec.outcome.column)) need("panel", ["outcome", "column"], spec.outcome.column);
  spec.model.controls.forEach((c, i) => need("panel", ["model", "controls", i], c));
  need("panel", ["model", "cluster"], spec.model.cluster);
  // block columns
  const derived = new Set([
    "cohort",
    "treat_post",
    "rel_time",
    "nondigital_cohort",
    "nondigital_post",
    "broadband",
    "smart_city",
    "municipality",
    "reform_zone",
  ]);
  for (const id of spec.enabled) {
    const b = blockById(id)!;
    if (!b.columns) continue;
    const opts = (spec.blocks as Record<string, unknown>)[id];
    const cols = b.columns(opts as never);
    const rawOpts = doc.getIn(["blocks", id], true);
    for (const c of cols) {
      if (derived.has(c) || measured.has(c) || !columns.panel || columns.panel.includes(c)) continue;
      // find where in the block's options the column is named
      let at: (string | number)[] = ["blocks", id];
      if (isMap(rawOpts)) {
        for (const pair of rawOpts.items) {
          if (!isPair(pair) || !isScalar(pair.key)) continue;
          const key = String(pair.key.value);
          const v = pair.value;
          if (isScalar(v) && v.value === c) at = ["blocks", id, key];
          if (isSeq(v))
            v.items.forEach((it, j) => {
              if (isScalar(it) && it.value === c) at = ["blocks", id, key, j];
            });
        }
      }
      const list = columns.panel.length > 12 ? columns.panel.slice(0, 12).join(", ") + ", …" : columns.panel.join(", ");
      issues.push({ line: lineOf(doc, lc, at), path: pathText(at), message: `column "${c}" is not in ${basename(inp.panel.file)} (columns: ${list})` });
    }
  }
  if (issues.length) fail(spec.path, issues);
  return spec;
}

/** Options of a block with defaults filled (zod output). */
export function blockOptions(spec: StudySpec, id: string): Record<string, unknown> {
  return ((spec.blocks as Record<string, unknown>)[id] ?? {}) as Record<string, unknown>;
}
