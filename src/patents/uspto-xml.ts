/**
 * USPTO patent-grant XML (us-patent-grant v4.0–v4.5) → one flat record, and → the patents table shape
 * (id, date, ipc, cited, applicant, region). A small tag scanner (no DTD, no external entities):
 * bibliographic fields are read from their element paths; text is whitespace-normalised and the five
 * XML entities plus numeric character references are decoded.
 *   ipc:  `classifications-ipcr` entries as "SSSS G/SG" (section+class+subclass, main group, subgroup);
 *         documents without them use `classification-ipc` main + further classifications verbatim.
 *   cpc:  `classification-cpc` entries (main then further), same spelling, de-duplicated.
 *   cited: doc-numbers of US patent citations (`references-cited` or `us-references-cited`).
 *   inventor locations: "city|state|country" of inventors (or applicant-inventors), de-duplicated.
 */
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { inputError } from "../core/errors.js";
import { firstInvalidUtf8 } from "../data/precheck.js";

export interface UsptoGrant {
  patentId: string;
  kind: string;
  grantDate: string;
  applicationId: string;
  filingDate: string;
  title: string;
  ipc: string[];
  cpc: string[];
  inventorLocations: string[];
  usCitedDocs: string[];
  assignee: string;
  sourceFile: string;
}

/** The character of a numeric reference; one beyond Unicode (or a surrogate, or NUL) stops naming it. */
function charRef(ref: string, cp: number): string {
  if (!(cp >= 1 && cp <= 0x10ffff) || (cp >= 0xd800 && cp <= 0xdfff))
    throw inputError(`character reference '${ref}' is not a Unicode character; fix or remove it`);
  return String.fromCodePoint(cp);
}

function decode(s: string): string {
  return s
    .replace(/&#x([0-9a-fA-F]+);/g, (ref, h: string) => charRef(ref, parseInt(h, 16)))
    .replace(/&#(\d+);/g, (ref, d: string) => charRef(ref, Number(d)))
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, "&");
}

/** Inner XML of every element `tag` in `xml` (non-nested occurrences). */
export function blocks(xml: string, tag: string): string[] {
  const out: string[] = [];
  const open = new RegExp(`<${tag}(?:\\s[^>]*)?>`, "g");
  const close = `</${tag}>`;
  let m: RegExpExecArray | null;
  while ((m = open.exec(xml))) {
    if (m[0].endsWith("/>")) continue;
    const start = m.index + m[0].length;
    const end = xml.indexOf(close, start);
    if (end < 0) break;
    out.push(xml.slice(start, end));
    open.lastIndex = end + close.length;
  }
  return out;
}

function block(xml: string, tag: string): string {
  return blocks(xml, tag)[0] ?? "";
}

/** Text content: tags removed, entities decoded, whitespace collapsed. */
export function textOf(inner: string): string {
  return decode(inner.replace(/<[^>]*>/g, ""))
    .replace(/\s+/g, " ")
    .trim();
}

function field(xml: string, tag: string): string {
  return textOf(block(xml, tag));
}

function ipcrSymbol(x: string): string {
  return `${field(x, "section")}${field(x, "class")}${field(x, "subclass")} ${field(x, "main-group")}/${field(x, "subgroup")}`;
}

/** Parse one grant document (XML text). */
export function parseUsptoGrant(xml: string, sourceFile = ""): UsptoGrant {
  const body = xml.replace(/<!DOCTYPE[^[>]*(\[[^\]]*\])?\s*>/, "");
  const bib = block(body, "us-bibliographic-data-grant");
  if (bib === "")
    throw inputError("not a USPTO grant document (no us-bibliographic-data-grant element): pass us-patent-grant XML files (v4.x), or a folder of them", {
      file: sourceFile,
    });
  const pub = block(block(bib, "publication-reference"), "document-id");
  const app = block(block(bib, "application-reference"), "document-id");
  let ipc = blocks(block(bib, "classifications-ipcr"), "classification-ipcr").map(ipcrSymbol);
  if (ipc.length === 0) {
    const old = block(bib, "classification-ipc");
    ipc = [field(old, "main-classification"), ...blocks(old, "further-classification").map(textOf)].filter((s) => s !== "");
  }
  const cpcBlock = block(bib, "classifications-cpc");
  const cpc = [...new Set(blocks(cpcBlock, "classification-cpc").map(ipcrSymbol))];
  const refs = block(bib, "us-references-cited") || block(bib, "references-cited");
  const cited: string[] = [];
  for (const pc of blocks(refs, "patcit")) {
    const d = block(pc, "document-id");
    if (field(d, "country") === "US") cited.push(field(d, "doc-number"));
  }
  const people = [...blocks(block(bib, "inventors"), "inventor")];
  if (people.length === 0) {
    const apps = block(bib, "applicants") || block(bib, "us-applicants");
    for (const m of apps.matchAll(/<(?:us-)?applicant\s[^>]*app-type="applicant-inventor"[^>]*>([\s\S]*?)<\/(?:us-)?applicant>/g)) people.push(m[1]!);
  }
  const locs: string[] = [];
  for (const p of people) {
    const a = block(p, "address");
    const loc = `${field(a, "city")}|${field(a, "state")}|${field(a, "country")}`;
    if (!locs.includes(loc)) locs.push(loc);
  }
  const asg = block(block(bib, "assignees"), "assignee");
  const assignee = field(asg, "orgname") || [field(asg, "first-name"), field(asg, "last-name")].filter(Boolean).join(" ");
  return {
    patentId: field(pub, "doc-number"),
    kind: field(pub, "kind"),
    grantDate: field(pub, "date"),
    applicationId: field(app, "doc-number"),
    filingDate: field(app, "date"),
    title: field(bib, "invention-title"),
    ipc,
    cpc,
    inventorLocations: locs,
    usCitedDocs: cited,
    assignee,
    sourceFile,
  };
}

/** Line (1-based) of byte `offset`. */
function lineAt(b: Buffer, offset: number): number {
  let line = 1;
  for (let i = b.indexOf(10); i >= 0 && i < offset; i = b.indexOf(10, i + 1)) line++;
  return line;
}

/**
 * The bytes of a grant document must be UTF-8 XML text: a compressed or zipped file, a NUL byte (binary data)
 * or an invalid UTF-8 byte stops naming it (instead of being read as U+FFFD, or as "not a grant document").
 */
function checkXmlBytes(b: Buffer, name: string): void {
  if (b[0] === 0x1f && b[1] === 0x8b) throw inputError("is gzip-compressed, not XML text: decompress it (gunzip)", { file: name });
  if (b.subarray(0, 4).toString("latin1") === "PK\x03\x04")
    throw inputError("is a ZIP archive (USPTO bulk files are zipped): unzip it and pass the .xml file or its folder", { file: name });
  const nul = b.indexOf(0);
  const bad = firstInvalidUtf8(b);
  if (nul >= 0 && (bad < 0 || nul < bad))
    throw inputError(`a NUL byte (0x00) at line ${lineAt(b, nul)} (byte offset ${nul}): this is binary data, not an XML document; download it again`, {
      file: name,
    });
  if (bad >= 0) {
    const hex = "0x" + b[bad]!.toString(16).toUpperCase().padStart(2, "0");
    throw inputError(
      `invalid UTF-8 byte ${hex} at line ${lineAt(b, bad)} (byte offset ${bad}); a grant document must be UTF-8: re-encode it (iconv -t UTF-8) or download it again`,
      { file: name },
    );
  }
}

/** Parse a grant XML file. */
export function readUsptoGrant(path: string): UsptoGrant {
  const b = readFileSync(path);
  checkXmlBytes(b, basename(path));
  return parseUsptoGrant(b.toString("utf8"), basename(path));
}

/** The patents-table row of a grant: id, date (filing), ipc (';'), cited (';'), applicant, region (first inventor's state or country). */
export function grantToPatentRow(g: UsptoGrant): { id: string; date: string; ipc: string; cited: string; applicant: string; region: string } {
  const first = g.inventorLocations[0]?.split("|") ?? [];
  return {
    id: g.patentId,
    date: g.filingDate,
    ipc: g.ipc.join(";"),
    cited: g.usCitedDocs.join(";"),
    applicant: g.assignee,
    region: first[1] || first[2] || "",
  };
}
