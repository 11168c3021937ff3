/**
 * Column mappings: which input header holds each patent field. Each field lists candidate headers; the
 * first present in the file is used. Shipped: `default` (id, date, year, region, ipc, cited, applicant),
 * `cnrds` (CNRDS / incoPat-style Chinese headers) and `patentsview` (a folder of PatentsView tables).
 * A user mapping is a JSON file of the same shape (a header name or a list of candidates per field).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { usageError } from "../core/errors.js";
import { packageRoot } from "./taxonomy.js";

export const PATENT_FIELDS = ["id", "date", "year", "region", "ipc", "cited", "applicant"] as const;
export type PatentField = (typeof PATENT_FIELDS)[number];

export interface ColumnMapping {
  name: string;
  columns: Partial<Record<PatentField, string[]>>;
  /** Characters that separate codes in the ipc cell (default ";,|；，"). */
  ipcSeparators: string;
  /** Characters that separate ids in the cited cell (default ";,| ；，"). */
  citedSeparators: string;
  /** When set, the input is a folder of tables joined by this source kind. */
  source?: "patentsview";
}

export const DEFAULT_IPC_SEPARATORS = ";,|；，";
export const DEFAULT_CITED_SEPARATORS = ";,| ；，";

/** Parse a mapping object (as read from JSON). */
export function parseMapping(obj: unknown, name: string): ColumnMapping {
  if (obj === null || typeof obj !== "object") throw usageError(`mapping '${name}' must be a JSON object`);
  const o = obj as Record<string, unknown>;
  const cols = (o.columns ?? o) as Record<string, unknown>;
  const columns: Partial<Record<PatentField, string[]>> = {};
  for (const f of PATENT_FIELDS) {
    const v = cols[f];
    if (v === undefined) continue;
    if (typeof v === "string") columns[f] = [v];
    else if (Array.isArray(v) && v.every((x) => typeof x === "string")) columns[f] = v as string[];
    else throw usageError(`mapping '${name}': field '${f}' must be a header name or a list of names`);
  }
  const m: ColumnMapping = {
    name,
    columns,
    ipcSeparators: typeof o.ipcSeparators === "string" ? o.ipcSeparators : DEFAULT_IPC_SEPARATORS,
    citedSeparators: typeof o.citedSeparators === "string" ? o.citedSeparators : DEFAULT_CITED_SEPARATORS,
  };
  if (o.source === "patentsview") m.source = "patentsview";
  return m;
}

/** Single-column overrides of a mapping (from the spec's inputs.patents or the CLI's column flags). */
export interface MappingOverrides {
  id?: string;
  date?: string;
  year?: string;
  region?: string;
  ipc?: string;
  cited?: string;
  applicant?: string;
  ipcSeparators?: string;
  citedSeparators?: string;
}

/** `m` with each given field read from exactly the named header (and the given separators). */
export function withOverrides(m: ColumnMapping, o: MappingOverrides): ColumnMapping {
  const columns = { ...m.columns };
  for (const f of PATENT_FIELDS) {
    const c = o[f];
    if (c) columns[f] = [c];
  }
  return {
    ...m,
    columns,
    ...(o.ipcSeparators ? { ipcSeparators: o.ipcSeparators } : {}),
    ...(o.citedSeparators ? { citedSeparators: o.citedSeparators } : {}),
  };
}

/** Load a mapping by built-in name (default, cnrds, patentsview) or JSON file path. */
export function loadMapping(nameOrFile: string | undefined): ColumnMapping {
  const name = nameOrFile ?? "default";
  const builtin = ["default", "cnrds", "patentsview"].includes(name);
  const file = builtin ? join(packageRoot(), "assets", "mappings", `${name}.json`) : name;
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    throw usageError(`mapping '${name}' is neither a built-in (default, cnrds, patentsview) nor a readable JSON file`);
  }
  let obj: unknown;
  try {
    obj = JSON.parse(text);
  } catch (e) {
    throw usageError(`mapping file ${file} is not valid JSON: ${(e as Error).message}`);
  }
  return parseMapping(obj, name);
}
