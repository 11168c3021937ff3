/**
 * Seeded fuzzing of the patents reader (CSV, Parquet, USPTO grant XML) and of the study spec loader
 * (issue #14), in the style of fuzz-lib.ts: input `index` of a loader is derived from (seed, index) alone,
 * runs in process through the same function the CLI command runs (`patents panel`: withPatentSource +
 * panelFromFile; `study run`: loadSpec) and is classified by `classify` (accepted, clear KeytechError,
 * crash). Hangs are caught by the runner (fuzz-run.ts).
 *   patents-csv      damaged CSV bytes (fuzz-lib's mutateCsv) and damaged cells (dates, codes, ids, huge numbers)
 *   patents-parquet  valid Parquet written by DuckDB from a mutated table (column types changed, nulls,
 *                    columns dropped, renamed or added, rows duplicated or removed), often byte-corrupted after
 *   patents-xml      generated us-patent-grant documents (a file or a folder of them) with unclosed or
 *                    removed tags, bad entities, invalid UTF-8, binary bytes, deep nesting, truncation
 *   spec             the reference study's spec text damaged as text (bytes, indentation, YAML syntax,
 *                    anchors, deep nesting) and as structure (keys removed, duplicated, wrong types, huge numbers)
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { gzipSync } from "node:zlib";
import { parse as parseYaml, stringify as stringifyYaml } from "yaml";
import type { DuckDBConnection } from "@duckdb/node-api";
import { Rng } from "../src/core/rng.js";
import { loadDuckdb } from "../src/data/duck.js";
import { loadMapping } from "../src/patents/mapping.js";
import { withPatentSource } from "../src/patents/source.js";
import { panelFromFile } from "../src/patents/pipeline.js";
import { loadSpec } from "../src/study/spec.js";
import { studyTemplate } from "../src/study/spec-template.js";
import { mutateCsv } from "./fuzz-lib.js";
import { PANEL_COLUMNS } from "../src/sim/simulate.js";

export type ExtraLoader = "patents-csv" | "patents-parquet" | "patents-xml" | "spec";
export const EXTRA_LOADERS: readonly ExtraLoader[] = ["patents-csv", "patents-parquet", "patents-xml", "spec"];

const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[rng.int(xs.length)]!;

const IPC_POOL = ["G06F 17/30", "H04L 29/06", "G06Q 10/00", "A61K 31/00", "H04W 4/00", "G06N 3/08", "B60L 11/18", "H01M 10/05", "G06F 3/01", "C12N 15/10"];

/** The undamaged patents table: 60 patents 2001–2008 in 4 regions, 1–3 codes, citations to earlier ones. */
export function basePatents(): string {
  const rng = new Rng(11);
  const lines = ["id,date,region,applicant,ipc,cited"];
  for (let i = 1; i <= 60; i++) {
    const y = 2001 + Math.floor((i - 1) / 8);
    const date = `${y}-${String(1 + rng.int(12)).padStart(2, "0")}-${String(1 + rng.int(28)).padStart(2, "0")}`;
    const codes = Array.from({ length: 1 + rng.int(3) }, () => pick(rng, IPC_POOL));
    const cited = i > 8 ? Array.from({ length: rng.int(4) }, () => `P${1 + rng.int(i - 8)}`) : [];
    const app = rng.int(5) === 0 ? `"Firm ${i % 7}, Inc."` : `A${i % 9}`;
    lines.push(`P${i},${date},R${1 + (i % 4)},${app},${codes.join(";")},${cited.join(";")}`);
  }
  return lines.join("\n") + "\n";
}

const BAD_CELLS = [
  "",
  " ",
  "NA",
  "abc",
  "1e309",
  "-1",
  "99999999999999999999999",
  "2001-13-45",
  "2001-02-30",
  "1066-01-01",
  "20011301",
  "2001",
  "２００１-01-01",
  "\u0000",
  "\u001b[31m",
  "\u202e",
  "é",
  "G06F",
  "G06F 17",
  "G06F 17/30;;",
  ";",
  "X99Z 1/1",
  "g06f 17/30",
  "G06F17/30",
  "P1",
  "P1;P1",
  "P9999",
  "P60",
  '"',
  '""',
  "a\nb",
  "x".repeat(5000),
];

/** Damage cells of a patents CSV (rows split on commas; quoting is left to the byte damage). */
function mutatePatentCells(text: string, rng: Rng): string {
  const lines = text.split("\n");
  for (let k = 0, m = 1 + rng.int(4); k < m; k++) {
    const r = 1 + rng.int(Math.max(1, lines.length - 2));
    const cells = (lines[r] ?? "").split(",");
    const c = rng.int(Math.max(1, cells.length));
    switch (rng.int(4)) {
      case 0:
        cells[c] = pick(rng, BAD_CELLS);
        break;
      case 1:
        cells.splice(c, 1);
        break;
      case 2:
        cells.splice(c, 0, pick(rng, BAD_CELLS));
        break;
      default:
        cells[c] = `"${pick(rng, BAD_CELLS).replace(/"/g, '""')}"`;
    }
    lines[r] = cells.join(",");
  }
  if (rng.int(4) === 0) {
    // whole-column damage in the header: rename, duplicate, drop or reorder a name
    const head = lines[0]!.split(",");
    const k = rng.int(4);
    if (k === 0) head[rng.int(head.length)] = pick(rng, ["ID", "Id", "date ", "year", "ipc_codes", "cited", "region", ""]);
    else if (k === 1) head[rng.int(head.length)] = head[rng.int(head.length)]!;
    else if (k === 2) head.splice(rng.int(head.length), 1);
    else head.reverse();
    lines[0] = head.join(",");
  }
  return lines.join("\n");
}

// ---------- Parquet: mutated tables written by DuckDB, then (often) corrupted bytes ----------

let duck: { conn: DuckDBConnection } | null = null;
async function duckConn(dir: string): Promise<DuckDBConnection> {
  if (duck) return duck.conn;
  const { DuckDBInstance } = await loadDuckdb();
  const inst = await DuckDBInstance.create(":memory:", { threads: "1" });
  const conn = await inst.connect();
  await conn.run(`CREATE TABLE base AS SELECT row_number() OVER () AS rn, * FROM read_csv('${join(dir, "patents.csv")}', header=true, all_varchar=true)`);
  duck = { conn };
  return conn;
}

const COLS = ["id", "date", "region", "applicant", "ipc", "cited"];
const q = (s: string): string => '"' + s.replace(/"/g, '""') + '"';

/** One column expression of the mutated table (the column's name is given by the caller). */
function columnExpr(c: string, rng: Rng): string {
  const v = q(c);
  switch (rng.int(14)) {
    case 0:
      return `TRY_CAST(${v} AS DATE)`;
    case 1:
      return `TRY_CAST(${v} AS BIGINT)`;
    case 2:
      return `TRY_CAST(substr(${v}, 1, 4) AS INTEGER)`;
    case 3:
      return `hash(${v})`; // UBIGINT
    case 4:
      return `string_split(${v}, ';')`; // a LIST column
    case 5:
      return `CASE WHEN rn % ${2 + rng.int(5)} = 0 THEN NULL ELSE ${v} END`;
    case 6:
      return `NULL::VARCHAR`;
    case 7:
      return `NULL`;
    case 8:
      return `CAST(${v} AS BLOB)`;
    case 9:
      return `{'a': ${v}, 'b': rn}`; // a STRUCT column
    case 10:
      return `TRY_CAST(${v} AS TIMESTAMP)`;
    case 11:
      return `${pick(rng, ["1e308::DOUBLE", "'NaN'::DOUBLE", "'inf'::DOUBLE", "170141183460469231731687303715884105727::HUGEINT", "-1::TINYINT", "true", "'2001-01-01'::DATE", "repeat('x', 100000)", "'\\xff'::BLOB", "chr(0)", "'é' || rn", "''"])}`;
    case 12:
      return `${v} || ${pick(rng, ["'x'", "' '", "';'", "chr(0)", "chr(27)", "'/'"])}`;
    default:
      return v;
  }
}

/** SELECT of a mutated patents table. */
function mutatedTableSql(rng: Rng): string {
  const cols: { name: string; src: string; expr: string }[] = COLS.map((c) => ({ name: c, src: c, expr: q(c) }));
  for (let r = 0, m = 1 + rng.int(3); r < m; r++) {
    const i = rng.int(cols.length || 1);
    switch (rng.int(6)) {
      case 0:
      case 1:
        if (cols[i]) cols[i]!.expr = columnExpr(cols[i]!.src, rng);
        break;
      case 2:
        cols.splice(i, 1);
        break; // missing column
      case 3:
        if (cols[i]) cols[i]!.name = pick(rng, ["ID", "year", "date", "x", "", "ipc ", "id"]);
        break;
      case 4: {
        const src = pick(rng, COLS);
        cols.push({ name: pick(rng, ["extra", "year", "unit", "cited2"]), src, expr: columnExpr(src, rng) });
        break;
      }
      default:
        cols.reverse();
    }
  }
  const names = new Set<string>();
  const sel = cols.map((c) => {
    let n = c.name || "col";
    while (names.has(n)) n += "_1"; // DuckDB refuses duplicate names in COPY; the reader sees the rename
    names.add(n);
    return `${c.expr} AS ${q(n)}`;
  });
  const where = pick(rng, ["", "", "", " WHERE false", " WHERE rn % 3 <> 0", " WHERE rn < 3"]);
  const dup = rng.int(6) === 0 ? ` UNION ALL SELECT ${sel.join(", ")} FROM base WHERE rn % 5 = 0` : "";
  return `SELECT ${sel.length ? sel.join(", ") : "1 AS one"} FROM base${where}${dup}`;
}

/** Byte corruption of a Parquet file: bit flips, truncation, footer damage, zeroed ranges, garbage. */
function corruptBytes(b: Buffer, rng: Rng): Buffer {
  const out = Buffer.from(b);
  switch (rng.int(7)) {
    case 0:
      for (let k = 0, m = 1 + rng.int(8); k < m; k++) {
        const i = rng.int(out.length);
        out[i] = out[i]! ^ (1 << rng.int(8));
      }
      return out;
    case 1:
      return out.subarray(0, rng.int(out.length));
    case 2: {
      // the footer length or the closing magic
      const i = Math.max(0, out.length - 8 + rng.int(8));
      out[i] = rng.int(256);
      return out;
    }
    case 3: {
      // a zeroed range in the middle (pages, metadata)
      const a = rng.int(out.length);
      out.fill(0, a, Math.min(out.length, a + 1 + rng.int(64)));
      return out;
    }
    case 4:
      return Buffer.concat([out, Buffer.from(Array.from({ length: 1 + rng.int(32) }, () => rng.int(256)))]);
    case 5: {
      // bytes in the footer metadata (thrift) flipped
      const len = out.length >= 8 ? out.readUInt32LE(out.length - 8) : 0;
      const start = Math.max(4, out.length - 8 - Math.min(len, out.length));
      for (let k = 0, m = 1 + rng.int(4); k < m; k++) {
        const i = start + rng.int(Math.max(1, out.length - 8 - start));
        out[i] = rng.int(256);
      }
      return out;
    }
    default:
      return pick(rng, [Buffer.from("PAR1"), Buffer.from("PAR1PAR1"), Buffer.alloc(0), gzipSync(out), Buffer.from(basePatents())]);
  }
}

// ---------- USPTO grant XML ----------

/** One generated us-patent-grant document (v4.5 layout; `old` = classification-ipc, applicant-inventors). */
export function grantXml(i: number, old = false): string {
  const y = 2001 + (i % 6);
  const code = IPC_POOL[i % IPC_POOL.length]!;
  const [sc, rest] = code.split(" ");
  const [mg, sg] = rest!.split("/");
  const ipc = old
    ? `<classification-ipc><edition>7</edition><main-classification>${sc}${mg}/${sg}</main-classification><further-classification>H04L 29/06</further-classification></classification-ipc>`
    : `<classifications-ipcr><classification-ipcr><section>${sc![0]}</section><class>${sc!.slice(1, 3)}</class><subclass>${sc![3]}</subclass><main-group>${mg}</main-group><subgroup>${sg}</subgroup></classification-ipcr></classifications-ipcr>`;
  const cites = Array.from(
    { length: i % 3 },
    (_, k) =>
      `<us-citation><patcit num="${k + 1}"><document-id><country>US</country><doc-number>0700000${k + i - 2}</doc-number><kind>B2</kind></document-id></patcit></us-citation>`,
  ).join("");
  const people = old
    ? `<us-parties><us-applicants><us-applicant sequence="001" app-type="applicant-inventor" designation="us-only"><addressbook><last-name>Doe</last-name><address><city>Austin</city><state>TX</state><country>US</country></address></addressbook></us-applicant></us-applicants></us-parties>`
    : `<us-parties><inventors><inventor sequence="001"><addressbook><last-name>Roe</last-name><address><city>Seattle</city><state>WA</state><country>US</country></address></addressbook></inventor></inventors></us-parties>`;
  return `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE us-patent-grant SYSTEM "us-patent-grant-v45-2014-04-03.dtd" [ ]>
<us-patent-grant lang="EN" dtd-version="v4.5 2014-04-03" country="US">
<us-bibliographic-data-grant>
<publication-reference><document-id><country>US</country><doc-number>0700000${i}</doc-number><kind>B2</kind><date>${y + 2}0106</date></document-id></publication-reference>
<application-reference appl-type="utility"><document-id><country>US</country><doc-number>1364${i}</doc-number><date>${y}1009</date></document-id></application-reference>
${ipc}
<invention-title id="d2e53">Managing &amp; routing &lt;SIP&gt; messages &#x263A; &#233;</invention-title>
<us-references-cited>${cites}</us-references-cited>
${people}
<assignees><assignee><addressbook><orgname>Acme, &quot;Inc.&quot;</orgname></addressbook></assignee></assignees>
</us-bibliographic-data-grant>
<abstract id="abstract"><p id="p-0001">A method for <b>routing</b> messages.</p></abstract>
</us-patent-grant>
`;
}

const XML_INSERTS = [
  "<",
  ">",
  "</",
  "<us-bibliographic-data-grant>",
  "</us-bibliographic-data-grant>",
  "<document-id>",
  "</document-id>",
  "<date>",
  "</date>",
  "<![CDATA[",
  "]]>",
  "<!--",
  "-->",
  "&",
  "&amp",
  "&#x110000;",
  "&#xD800;",
  "&#99999999999;",
  "&#0;",
  "&#x1B;",
  "&unknown;",
  "&#x;",
  '<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">]>',
  '<?xml version="1.0"?>',
  "\u0000",
  "\ufeff",
  "<classification-ipcr/>",
  "<doc-number></doc-number>",
  "<date>2001-13-45</date>",
  "<date>10660101</date>",
  "<date>9999999999999</date>",
  "<country>US</country><doc-number>07000001</doc-number>",
  "é",
  "\u202e",
];

function mutateXml(doc: string, rng: Rng): Buffer {
  let b = Buffer.from(doc);
  for (let r = 0, m = 1 + rng.int(3); r < m; r++) {
    const at = rng.int(b.length + 1);
    const s = b.toString("latin1");
    switch (rng.int(11)) {
      case 0: // bit flips
        for (let k = 0, n = 1 + rng.int(4); k < n && b.length; k++) {
          const i = rng.int(b.length);
          b[i] = b[i]! ^ (1 << rng.int(8));
        }
        break;
      case 1:
        b = b.subarray(0, at);
        break; // truncation: unclosed tags
      case 2:
        b = Buffer.concat([b.subarray(0, at), Buffer.from(pick(rng, XML_INSERTS)), b.subarray(at)]);
        break;
      case 3: {
        // a closing tag removed (unclosed element)
        const closes = [...s.matchAll(/<\/[a-z-]+>/g)];
        const c = closes.length ? pick(rng, closes) : null;
        if (c) b = Buffer.concat([b.subarray(0, c.index), b.subarray(c.index + c[0].length)]);
        break;
      }
      case 4: {
        // an element removed or duplicated
        const tag = pick(rng, [
          "document-id",
          "date",
          "doc-number",
          "classification-ipcr",
          "classifications-ipcr",
          "application-reference",
          "publication-reference",
          "us-references-cited",
          "inventor",
          "assignee",
          "section",
          "main-group",
          "subgroup",
          "us-bibliographic-data-grant",
        ]);
        const m2 = new RegExp(`<${tag}(?:\\s[^>]*)?>[\\s\\S]*?</${tag}>`).exec(s);
        if (m2) b = Buffer.from(s.slice(0, m2.index) + (rng.int(2) ? m2[0] + m2[0] : "") + s.slice(m2.index + m2[0].length), "latin1");
        break;
      }
      case 5:
        b = Buffer.concat([
          b.subarray(0, at),
          Buffer.from(pick(rng, [[0xff], [0xc3], [0xe2, 0x82], [0xed, 0xa0, 0x80], [0xc0, 0xaf], [0xfe, 0xff]])),
          b.subarray(at),
        ]);
        break;
      case 6:
        b = Buffer.concat([b.subarray(0, at), Buffer.from(Array.from({ length: 1 + rng.int(32) }, () => rng.int(256))), b.subarray(at)]);
        break;
      case 7: {
        // deep nesting
        const d = pick(rng, [100, 1000, 10000, 100000]);
        const t = pick(rng, ["a", "document-id", "date"]);
        b = Buffer.concat([b.subarray(0, at), Buffer.from(`<${t}>`.repeat(d) + (rng.int(2) ? `</${t}>`.repeat(d) : "")), b.subarray(at)]);
        break;
      }
      case 8:
        b = rng.int(2)
          ? gzipSync(b)
          : Buffer.from(pick(rng, ["", "\n", "<", '<?xml version="1.0"?>', "<us-patent-grant/>", "PK\u0003\u0004", "id,date,ipc\n1,2001-01-01,G06F 17/30\n"]));
        break;
      case 9: {
        // a text value replaced
        const vals = [...s.matchAll(/>([^<>]+)</g)];
        const v = vals.length ? pick(rng, vals) : null;
        if (v)
          b = Buffer.from(
            s.slice(0, v.index + 1) + pick(rng, XML_INSERTS.concat(["", " ", "x".repeat(10000), "0", "-1", "1e309"])) + s.slice(v.index + 1 + v[1]!.length),
            "latin1",
          );
        break;
      }
      default:
        b = Buffer.concat([b.subarray(0, at), b.subarray(Math.min(b.length, at + 1 + rng.int(40)))]);
    }
  }
  return b;
}

// ---------- study spec ----------

const YAML_INSERTS = [
  ": ",
  "- ",
  "-",
  "[",
  "]",
  "{",
  "}",
  ",",
  "&a ",
  "*a",
  "*b",
  "!!binary ",
  "!!js/function ",
  "!foo ",
  "<<: *a",
  "---\n",
  "...\n",
  "%YAML 1.1\n",
  "? ",
  "|",
  ">",
  "\t",
  "#",
  "'",
  '"',
  "\\",
  "\n",
  "\r",
  "\u0000",
  "\ufeff",
  "\u202e",
  "@",
  "`",
  "%",
];
const WRONG_VALUES: unknown[] = [
  null,
  true,
  false,
  0,
  -1,
  1.5,
  1e308,
  2 ** 53 + 2,
  -(2 ** 63),
  "",
  "x",
  "x".repeat(3000),
  [],
  [1, 2],
  ["a", null],
  {},
  { a: 1 },
  { enabled: "yes" },
  "1e999",
  ".inf",
  "NaN",
  "2001-01-01",
];

function keyPaths(v: unknown, path: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  if (v && typeof v === "object") {
    for (const [k, x] of Object.entries(v)) {
      const p = [...path, Array.isArray(v) ? Number(k) : k];
      out.push(p);
      keyPaths(x, p, out);
    }
  }
  return out;
}

function mutateSpecStructure(text: string, rng: Rng): string {
  const obj = parseYaml(text) as Record<string, unknown>;
  for (let r = 0, m = 1 + rng.int(3); r < m; r++) {
    const paths = keyPaths(obj);
    const p = pick(rng, paths);
    let parent: Record<string | number, unknown> = obj;
    for (const k of p.slice(0, -1)) parent = parent[k] as Record<string | number, unknown>;
    const last = p[p.length - 1]!;
    switch (rng.int(5)) {
      case 0:
        if (Array.isArray(parent)) parent.splice(Number(last), 1);
        else delete parent[last];
        break; // removed key
      case 1:
        parent[last] = structuredClone(pick(rng, WRONG_VALUES));
        break; // wrong type
      case 2:
        if (!Array.isArray(parent)) parent[`${String(last)}${pick(rng, ["_x", "s", " ", "2"])}`] = parent[last];
        break; // unknown key (a near-duplicate)
      case 3: {
        // deep nesting of a value
        let v: unknown = parent[last];
        for (let d = 0, n = pick(rng, [10, 60, 200]); d < n; d++) v = rng.int(2) ? [v] : { k: v };
        parent[last] = v;
        break;
      }
      default:
        parent[last] = pick(rng, [2 ** 64, 1e21, -1e21, 1.2345678901234568e29, Number.MIN_VALUE]);
    }
  }
  return stringifyYaml(obj);
}

function mutateSpecText(text: string, rng: Rng): Buffer {
  let b = Buffer.from(text);
  for (let r = 0, m = 1 + rng.int(3); r < m; r++) {
    const at = rng.int(b.length + 1);
    const lines = b.toString("latin1").split("\n");
    const li = rng.int(lines.length);
    switch (rng.int(11)) {
      case 0:
        for (let k = 0, n = 1 + rng.int(4); k < n && b.length; k++) {
          const i = rng.int(b.length);
          b[i] = b[i]! ^ (1 << rng.int(8));
        }
        break;
      case 1:
        b = b.subarray(0, at);
        break;
      case 2:
        b = Buffer.concat([b.subarray(0, at), Buffer.from(pick(rng, YAML_INSERTS)), b.subarray(at)]);
        break;
      case 3:
        b = Buffer.concat([
          b.subarray(0, at),
          Buffer.from(pick(rng, [[0xff], [0xc3], [0xe2, 0x82], [0xed, 0xa0, 0x80], [0xc0, 0xaf], [0xfe, 0xff], [0x00], [0x1b]])),
          b.subarray(at),
        ]);
        break;
      case 4:
        lines[li] = rng.int(2) ? " ".repeat(1 + rng.int(4)) + lines[li] : lines[li]!.replace(/^ {1,4}/, "");
        b = Buffer.from(lines.join("\n"), "latin1");
        break; // indentation
      case 5:
        if (rng.int(2)) lines.splice(li, 0, lines[li]!);
        else lines.splice(li, 1);
        b = Buffer.from(lines.join("\n"), "latin1");
        break; // duplicated / removed key line
      case 6: {
        // deep nesting (flow or block)
        const d = pick(rng, [50, 200, 1000, 10000, 100000]);
        const v =
          rng.int(3) === 0
            ? "\n" + Array.from({ length: Math.min(d, 3000) }, (_, k) => " ".repeat(2 * k + 2) + "k:").join("\n") + " 1"
            : rng.int(2)
              ? "[".repeat(d) + "]".repeat(d)
              : "{a: ".repeat(d) + "1" + "}".repeat(d);
        lines[li] = lines[li]!.replace(/:(\s.*)?$/, ": " + v);
        b = Buffer.from(lines.join("\n"), "latin1");
        break;
      }
      case 7: {
        // anchors and aliases: a billion-laughs bomb, an alias before its anchor, a merge key
        const k = rng.int(3);
        const bomb = [
          "x1: &a1 [q, q, q, q, q, q, q, q, q, q]",
          ...Array.from(
            { length: 7 },
            (_, j) =>
              `x${j + 2}: &a${j + 2} [${Array(10)
                .fill(`*a${j + 1}`)
                .join(", ")}]`,
          ),
        ].join("\n");
        b = Buffer.from(
          k === 0
            ? bomb + "\n" + b.toString("latin1")
            : k === 1
              ? b.toString("latin1").replace("seed: 20250101", "seed: *s")
              : b.toString("latin1").replace(/\n {2}ddd: \{\}/, "\n  ddd: &d {}\n  bacon: *d\n  <<: *d"),
          "latin1",
        );
        break;
      }
      case 8:
        b = rng.int(2)
          ? gzipSync(b)
          : Buffer.from(
              pick(rng, [
                "",
                "\n",
                "---",
                "- 1\n- 2\n",
                "just a string",
                "null",
                "~",
                "{}",
                "[]",
                "version: 1\n",
                "\ufeffversion: 1\n",
                "a: b: c",
                "PK\u0003\u0004",
              ]),
            );
        break;
      case 9:
        lines[li] = lines[li]!.replace(
          /:\s+(\S+)/,
          (_m, _v: string) =>
            `: ${pick(rng, ["1e999", "-1", "0x10", "0o7", ".inf", ".nan", "99999999999999999999999999", "~", "null", "[]", "{}", "yes", "'", '"unterminated', "!!int x", "2001-01-01", "1_000"])}`,
        );
        b = Buffer.from(lines.join("\n"), "latin1");
        break;
      default:
        b = Buffer.from(mutateSpecStructure(text, rng));
    }
  }
  return b;
}

// ---------- setup and one input ----------

/** Write the loader's undamaged inputs into `dir` once. */
export function setupExtra(loader: ExtraLoader, dir: string): void {
  const mark = join(dir, `.setup-${loader}`);
  if (existsSync(mark)) return;
  writeFileSync(join(dir, "patents.csv"), basePatents());
  if (loader === "spec") {
    const d = join(dir, "data");
    mkdirSync(d, { recursive: true });
    const panelCols = ["county", "city", "year", ...PANEL_COLUMNS];
    writeFileSync(join(d, "panel.csv"), panelCols.join(",") + "\n" + panelCols.map((_, i) => (i === 2 ? 2000 : i + 1)).join(",") + "\n");
    writeFileSync(join(d, "counties.csv"), "county,city,municipality,reform_zone\n1,2,0,0\n");
    writeFileSync(join(d, "policies.csv"), "county,program,year\n1,digital_cluster,2013\n");
    writeFileSync(join(d, "patents.csv"), "id,date,region,applicant,ipc,cited\nA,2000-01-01,1,1,G06N 3/00,\n");
    writeFileSync(join(dir, "base.yaml"), studyTemplate({ dataDir: "data", fast: true }));
  }
  writeFileSync(mark, "");
}

const TEMPLATE = studyTemplate({ dataDir: "data", fast: true });

/**
 * Run input `index` of an extra loader (files go to `dir`); throws what the loader throws. `names` receives
 * the file names an error message must mention (any one of them: the input, or a document of an XML folder).
 */
export async function runExtraInput(loader: ExtraLoader, rng: Rng, index: number, dir: string, names: string[]): Promise<void> {
  setupExtra(loader, dir);
  const slot = index % 4;
  if (loader === "spec") {
    const p = join(dir, `in-${slot}.yaml`);
    writeFileSync(p, mutateSpecText(TEMPLATE, rng));
    names.push(basename(p));
    await loadSpec(p);
    return;
  }
  let input: string;
  if (loader === "patents-csv") {
    let text = basePatents();
    if (rng.int(3)) text = mutatePatentCells(text, rng);
    const { bytes, ext } = rng.int(3) ? mutateCsv(Buffer.from(text), rng) : { bytes: Buffer.from(text), ext: ".csv" };
    input = join(dir, `in-${slot}${ext}`);
    writeFileSync(input, bytes);
  } else if (loader === "patents-parquet") {
    const conn = await duckConn(dir);
    input = join(dir, `in-${slot}.parquet`);
    rmSync(input, { force: true });
    await conn.run(`COPY (${mutatedTableSql(rng)}) TO '${input}' (FORMAT parquet)`);
    if (rng.int(5) < 2) {
      writeFileSync(input, corruptBytes(readFileSync(input), rng));
    }
  } else {
    // one document, or a folder of 1–4 documents of which one or more are damaged
    const folder = rng.int(2) === 0;
    if (folder) {
      input = join(dir, `xml-${slot}`);
      rmSync(input, { recursive: true, force: true });
      mkdirSync(input);
      const n = 1 + rng.int(4);
      for (let k = 0; k < n; k++) {
        const doc = grantXml(index * 4 + k, rng.int(3) === 0);
        writeFileSync(join(input, `US${k}.xml`), k === 0 || rng.int(2) ? mutateXml(doc, rng) : Buffer.from(doc));
      }
    } else {
      input = join(dir, `in-${slot}.xml`);
      writeFileSync(input, mutateXml(grantXml(index, rng.int(3) === 0), rng));
    }
  }
  names.push(basename(input));
  if (existsSync(input) && statSync(input).isDirectory()) names.push(...readdirSync(input));
  const mapping = loadMapping("default");
  await withPatentSource(input, mapping, (file, m) => panelFromFile(file, { mapping: m, level: "group", onBadIpc: rng.int(3) === 0 ? "skip" : "fail" }));
}
