/**
 * Patent sources that DuckDB cannot read as one table: USPTO grant XML (one `.xml` file, or a folder
 * holding `.xml` files) is converted once to a temporary CSV in keytech's own column names (id, date =
 * filing date, region = first inventor's state or country, applicant = first assignee, ipc, cited) and
 * read from there with the default mapping. Every other input (CSV, Parquet, a PatentsView folder) is
 * passed through unchanged. A document that does not parse stops with its file name; a folder with no
 * `.xml` file is not an XML source.
 */
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { formatLocated, inputError, KeytechError } from "../core/errors.js";
import { DEFAULT_CITED_SEPARATORS, DEFAULT_IPC_SEPARATORS, type ColumnMapping } from "./mapping.js";
import { grantToPatentRow, readUsptoGrant } from "./uspto-xml.js";

export interface PatentSource {
  /** the file the reader opens */
  file: string;
  mapping: ColumnMapping;
  /** what the user gave */
  original: string;
  /** "xml" when converted from USPTO grant XML */
  kind: "table" | "xml";
  /** XML documents converted */
  documents: number;
  /** remove the temporary files (no-op for tables) */
  cleanup: () => void;
  /** an error about the converted CSV, re-addressed to the XML document it came from */
  relocate: (e: unknown) => unknown;
}

/** The XML documents of a path: the file itself, or the folder's `*.xml` files sorted by name; [] if none. */
export function usptoXmlFiles(path: string): string[] {
  let st;
  try {
    st = statSync(path);
  } catch {
    return [];
  }
  if (st.isFile()) return /\.xml$/i.test(path) ? [path] : [];
  if (!st.isDirectory()) return [];
  return readdirSync(path)
    .filter((f) => /\.xml$/i.test(f))
    .sort()
    .map((f) => join(path, f));
}

function csvCell(v: string): string {
  return /[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

const XML_MAPPING: ColumnMapping = {
  name: "uspto-xml",
  columns: { id: ["id"], date: ["date"], region: ["region"], ipc: ["ipc"], cited: ["cited"], applicant: ["applicant"] },
  ipcSeparators: DEFAULT_IPC_SEPARATORS,
  citedSeparators: DEFAULT_CITED_SEPARATORS,
};

/** Where each converted field comes from in a grant document (for messages about a document's values). */
const XML_ELEMENTS: Record<string, string> = {
  id: "publication-reference/document-id/doc-number",
  date: "application-reference/document-id/date (the filing date, YYYYMMDD)",
  ipc: "classifications-ipcr (or classification-ipc)",
  cited: "us-references-cited/us-citation/patcit",
  applicant: "assignees/assignee",
  region: "the first inventor's address (state, else country)",
};

/** Resolve a user's patents path to something `readPatents` reads (see the file comment). */
export function patentSource(path: string, mapping: ColumnMapping): PatentSource {
  const xml = usptoXmlFiles(path);
  if (xml.length === 0) return { file: path, mapping, original: path, kind: "table", documents: 0, cleanup: () => {}, relocate: (e) => e };
  const lines = ["id,date,region,applicant,ipc,cited"];
  for (const f of xml) {
    let row;
    try {
      row = grantToPatentRow(readUsptoGrant(f));
    } catch (e) {
      // the document's own message (named by its base name) is re-addressed to its path, once
      if (e instanceof KeytechError) {
        const prefix = formatLocated("", e.location);
        throw inputError(e.message.startsWith(prefix) ? e.message.slice(prefix.length) : e.message, { file: f });
      }
      throw inputError(`not a readable USPTO grant XML document: ${(e as Error).message.split("\n")[0]}`, { file: f });
    }
    lines.push([row.id, row.date, row.region, row.applicant, row.ipc, row.cited].map(csvCell).join(","));
  }
  const dir = mkdtempSync(join(tmpdir(), "keytech-xml-"));
  const file = join(dir, "patents_from_xml.csv");
  writeFileSync(file, lines.join("\n") + "\n");
  const relocate = (e: unknown): unknown => {
    if (!(e instanceof KeytechError) || e.location.file === undefined || !e.location.file.endsWith("patents_from_xml.csv")) return e;
    const prefix = formatLocated("", e.location);
    const raw = e.message.startsWith(prefix) ? e.message.slice(prefix.length) : e.message;
    const doc = e.location.row !== undefined ? xml[e.location.row - 1] : undefined;
    const el = e.location.column !== undefined ? XML_ELEMENTS[e.location.column] : undefined;
    return doc
      ? inputError(`${raw} (USPTO grant XML: the ${e.location.column ?? "?"} ${el ? `comes from ${el}` : "field as converted"})`, { file: doc })
      : inputError(raw, { file: path });
  };
  return {
    file,
    mapping: XML_MAPPING,
    original: path,
    kind: "xml",
    documents: xml.length,
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
    relocate,
  };
}

/** Run `fn` on the resolved source, re-addressing its input errors and removing the temporary files. */
export async function withPatentSource<T>(
  path: string,
  mapping: ColumnMapping,
  fn: (file: string, mapping: ColumnMapping, src: PatentSource) => Promise<T>,
): Promise<T> {
  const src = patentSource(path, mapping);
  try {
    return await fn(src.file, src.mapping, src);
  } catch (e) {
    throw src.relocate(e);
  } finally {
    src.cleanup();
  }
}
