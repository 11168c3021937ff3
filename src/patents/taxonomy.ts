/**
 * Technology taxonomies as data: ordered prefix rules on normalised IPC codes → category.
 *
 * Rule file (CSV): `category_id, category, evaluation_order, rule, ipc_prefix` with rule = include|exclude.
 * A code belongs to category C when it starts with one of C's include prefixes and with none of C's
 * exclude prefixes; the categories are tried by ascending evaluation_order (ties: file order) and the
 * first that matches is the code's category (null when none does). Prefixes are compared on the compact
 * key "G06F17/30" (see ipcMatchKey): "H04L" = whole subclass, "H04M 3/" or "H04M 3" = main group 3 with
 * all subgroups, "H04B 1/69" = string prefix on the subgroup digits (as in the OECD SQL transcription).
 * The WIPO IPC–technology concordance file (`Field_number, …, Field_en, …, IPC_code` with `%` wildcards)
 * is read directly (each field is a category, evaluation order = field number).
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { inputError, usageError } from "../core/errors.js";
import { ipcMatchKey, parseIpc, type Ipc } from "./ipc.js";

export interface TaxonomyRule {
  categoryId: string;
  category: string;
  order: number;
  include: boolean;
  prefix: string;
}

export interface Taxonomy {
  name: string;
  /** Categories in evaluation order. */
  categories: { id: string; name: string; include: string[]; exclude: string[] }[];
}

/** Normalise a rule prefix to the compact match-key form ("H04M 3/" → "H04M3/", "G06F%" → "G06F"). */
export function normalisePrefix(raw: string): string | null {
  let s = raw.trim().toUpperCase().replace(/%+$/, "").replace(/\s+/g, "");
  if (s === "") return null;
  const m = /^([A-H]\d{2}[A-Z])(?:0*(\d{1,4})(\/(\d*))?)?$/.exec(s);
  if (!m) return null;
  s = m[1]!;
  if (m[2] !== undefined) s += `${m[2]}/${m[4] ?? ""}`;
  return s;
}

/** Minimal CSV line splitter (quotes, doubled quotes); enough for the shipped rule files. */
export function splitCsvLine(line: string): string[] {
  const out: string[] = [];
  let cur = "";
  let q = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (q) {
      if (ch === '"') {
        if (line[i + 1] === '"') {
          cur += '"';
          i++;
        } else q = false;
      } else cur += ch;
    } else if (ch === '"') q = true;
    else if (ch === ",") {
      out.push(cur);
      cur = "";
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

/** Parse a taxonomy from CSV text (rule format or the WIPO concordance format). */
export function parseTaxonomy(text: string, name: string, file = name): Taxonomy {
  const lines = text
    .replace(/^\uFEFF/, "")
    .split(/\r?\n/)
    .filter((l) => l.trim() !== "" && !l.startsWith("#"));
  if (lines.length === 0) throw inputError("taxonomy file is empty", { file });
  const header = splitCsvLine(lines[0]!).map((h) => h.trim());
  const col = (n: string): number => header.indexOf(n);
  const rules: TaxonomyRule[] = [];
  const wipo = col("Field_number") >= 0 && col("IPC_code") >= 0;
  if (!wipo) {
    for (const need of ["category_id", "category", "rule", "ipc_prefix"]) {
      if (col(need) < 0)
        throw inputError(`taxonomy file has no '${need}' column (expected category_id, category, evaluation_order, rule, ipc_prefix)`, { file });
    }
  }
  for (let i = 1; i < lines.length; i++) {
    const f = splitCsvLine(lines[i]!);
    const row = i;
    let rawPrefix: string;
    let rule: TaxonomyRule;
    if (wipo) {
      const id = f[col("Field_number")]!.trim();
      rawPrefix = f[col("IPC_code")] ?? "";
      rule = { categoryId: id, category: (f[col("Field_en")] ?? id).trim(), order: Number(id), include: true, prefix: "" };
    } else {
      const r = (f[col("rule")] ?? "").trim().toLowerCase();
      if (r !== "include" && r !== "exclude") throw inputError(`rule must be 'include' or 'exclude', got '${r}'`, { file, row, column: "rule" });
      const ord = col("evaluation_order") >= 0 ? Number(f[col("evaluation_order")]) : Number.NaN;
      rawPrefix = f[col("ipc_prefix")] ?? "";
      rule = {
        categoryId: f[col("category_id")]!.trim(),
        category: (f[col("category")] ?? "").trim(),
        order: Number.isFinite(ord) ? ord : i,
        include: r === "include",
        prefix: "",
      };
    }
    const p = normalisePrefix(rawPrefix);
    if (p === null) throw inputError(`not an IPC prefix: '${rawPrefix}'`, { file, row, column: wipo ? "IPC_code" : "ipc_prefix" });
    rule.prefix = p;
    rules.push(rule);
  }
  const byId = new Map<string, { id: string; name: string; order: number; first: number; include: string[]; exclude: string[] }>();
  rules.forEach((r, k) => {
    let c = byId.get(r.categoryId);
    if (!c) byId.set(r.categoryId, (c = { id: r.categoryId, name: r.category, order: r.order, first: k, include: [], exclude: [] }));
    (r.include ? c.include : c.exclude).push(r.prefix);
  });
  const cats = [...byId.values()].sort((a, b) => a.order - b.order || a.first - b.first);
  return { name, categories: cats.map((c) => ({ id: c.id, name: c.name, include: c.include, exclude: c.exclude })) };
}

function startsWithAny(key: string, prefixes: string[]): boolean {
  for (const p of prefixes) if (key.startsWith(p)) return true;
  return false;
}

/** The category id of one code (first matching category in evaluation order), or null. */
export function classifyCode(tax: Taxonomy, code: Ipc): string | null {
  const key = ipcMatchKey(code);
  for (const c of tax.categories) {
    if (startsWithAny(key, c.include) && !startsWithAny(key, c.exclude)) return c.id;
  }
  return null;
}

/** A memoised classifier over many codes (keys repeat a lot in patent data). */
export function makeClassifier(tax: Taxonomy): (code: Ipc) => string | null {
  const memo = new Map<string, string | null>();
  return (code) => {
    const key = ipcMatchKey(code);
    let v = memo.get(key);
    if (v === undefined) {
      v = classifyCode(tax, code);
      memo.set(key, v);
    }
    return v;
  };
}

/** Classify a raw code string; null when unparseable or unmatched. */
export function classifyRaw(tax: Taxonomy, raw: string): string | null {
  const c = parseIpc(raw);
  return c ? classifyCode(tax, c) : null;
}

/** The package root (…/keytech), found from this file's location in src/ or dist/src/. */
export function packageRoot(): string {
  let d = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    try {
      const pkg = JSON.parse(readFileSync(join(d, "package.json"), "utf8")) as { name?: string };
      if (pkg.name === "keytech") return d;
    } catch {
      // keep walking up
    }
    d = dirname(d);
  }
  throw new Error("keytech package root not found");
}

/** Taxonomies shipped in assets/taxonomies/, by name. */
export const BUILTIN_TAXONOMIES: Record<string, { file: string; note: string }> = {
  "oecd-ict": {
    file: "oecd_ict_ipc_taxonomy_2017_transcribed.csv",
    note: "OECD ICT (J-tag) taxonomy, 13 areas (Inaba & Squicciarini 2017), transcribed; matches an independent public transcription prefix for prefix, not checked against the paper's annex itself",
  },
  wipo: { file: "wipo_ipc_technology_concordance.csv", note: "WIPO IPC–technology concordance, 35 fields" },
  "wipo-digital": {
    file: "wipo_digital_fields_3_8.csv",
    note: "WIPO fields 3–8 (telecommunications, digital communication, basic communication processes, computer technology, IT methods for management, semiconductors)",
  },
  "cnipa-provisional": {
    file: "cnipa_key_digital_provisional.csv",
    note: "PROVISIONAL engineer-made proxy for CNIPA's seven key digital technology areas (not the official table)",
  },
};

/** Load a taxonomy by built-in name or file path. */
export function loadTaxonomy(nameOrFile: string): Taxonomy {
  const b = BUILTIN_TAXONOMIES[nameOrFile];
  const file = b ? join(packageRoot(), "assets", "taxonomies", b.file) : nameOrFile;
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    throw usageError(`taxonomy '${nameOrFile}' is neither a built-in (${Object.keys(BUILTIN_TAXONOMIES).join(", ")}) nor a readable file`);
  }
  return parseTaxonomy(text, nameOrFile, file);
}

/**
 * The set of category ids a filter names (ids or names; all categories when none given). Codes are
 * still classified with the whole taxonomy (first match), then tested for membership in this set.
 */
export function categorySet(tax: Taxonomy, ids: string[] | undefined): Set<string> {
  if (!ids || ids.length === 0) return new Set(tax.categories.map((c) => c.id));
  const out = new Set<string>();
  for (const id of ids) {
    const c = tax.categories.find((k) => k.id === id || k.name === id);
    if (!c) throw usageError(`taxonomy '${tax.name}' has no category '${id}' (categories: ${tax.categories.map((k) => k.id).join(", ")})`);
    out.add(c.id);
  }
  return out;
}
