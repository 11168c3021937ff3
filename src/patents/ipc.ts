/**
 * IPC symbol normalisation. Accepts the common spellings of one IPC code and returns its parts:
 *   "G06F 17/30", "G06F17/30", "g06f 17 / 30", "G06F0017300000" (EPO/DOCDB 14-character form: 4-digit
 *   zero-padded main group + 6-digit subgroup), "G06F015/00" (3-digit group, USPTO IPC-7),
 *   "G06F 17/30 (2006.01)", "G06F17/30(2006.01)I", "G06F 17/30 [2006.01]", "G06F 17/30 20060101AFI…"
 *   (version and ranking suffixes are dropped), "G06F 17" / "G06F17/" (main group only), "G06F" (subclass).
 * Subgroups are decimal fractions: trailing zeros beyond two digits are dropped ("300000" → "30",
 * "081900" → "0819") and a one-digit subgroup is malformed. Main groups lose leading zeros ("0017" → "17").
 */

export type IpcLevel = "subclass" | "group" | "subgroup";

export interface Ipc {
  /** Section letter A–H. */
  section: string;
  /** Class, e.g. "G06". */
  cls: string;
  /** Subclass, e.g. "G06F". */
  subclass: string;
  /** Main group number without leading zeros ("17"), "" when absent. */
  group: string;
  /** Subgroup digits ("30", "0819"), "" when absent. */
  subgroup: string;
}

const VERSION = String.raw`(?:[\s(\[]*(?:\d{4}\.\d{2}|\d{8})[)\]]?[A-Z0-9]*)?`;
const SLASH = new RegExp(String.raw`^([A-H])\s*(\d{2})\s*([A-Z])[\s-]*0*(\d{1,4})\s*/\s*(\d{1,6})` + VERSION + String.raw`\s*$`);
const COMPACT = new RegExp(String.raw`^([A-H])(\d{2})([A-Z])\s*(\d{4})(\d{6})` + VERSION + String.raw`\s*$`);
const GROUP_ONLY = new RegExp(String.raw`^([A-H])\s*(\d{2})\s*([A-Z])[\s-]*0*(\d{1,4})\s*/?` + VERSION + String.raw`\s*$`);
const SUBCLASS_ONLY = /^([A-H])\s*(\d{2})\s*([A-Z])\s*$/;
/** Trailing ranking/qualifier letters some exports append after a bracketed version ("(2006.01)I"). */
const TRAILING_PAREN = /\s*[([][^)\]]*[)\]]\s*[A-Z]{0,2}\s*$/;

function normSubgroup(d: string): string | null {
  if (d.length < 2) return null;
  let s = d;
  while (s.length > 2 && s.endsWith("0")) s = s.slice(0, -1);
  return s;
}

function normGroup(g: string): string {
  const s = g.replace(/^0+/, "");
  return s === "" ? "0" : s;
}

/** Parse one IPC code; null when it is not a recognisable IPC symbol. */
export function parseIpc(raw: string): Ipc | null {
  let s = raw.trim().toUpperCase();
  if (s === "") return null;
  const mk = (sec: string, cl: string, sub: string, group: string, subgroup: string): Ipc => ({
    section: sec,
    cls: sec + cl,
    subclass: sec + cl + sub,
    group,
    subgroup,
  });
  let m = SLASH.exec(s) ?? (TRAILING_PAREN.test(s) ? SLASH.exec((s = s.replace(TRAILING_PAREN, ""))) : null);
  if (m) {
    const sg = normSubgroup(m[5]!);
    return sg === null ? null : mk(m[1]!, m[2]!, m[3]!, normGroup(m[4]!), sg);
  }
  m = COMPACT.exec(s);
  if (m) {
    const sg = normSubgroup(m[5]!);
    return sg === null ? null : mk(m[1]!, m[2]!, m[3]!, normGroup(m[4]!), sg);
  }
  m = GROUP_ONLY.exec(s);
  if (m) return mk(m[1]!, m[2]!, m[3]!, normGroup(m[4]!), "");
  m = SUBCLASS_ONLY.exec(s);
  if (m) return mk(m[1]!, m[2]!, m[3]!, "", "");
  return null;
}

/** Canonical compact spelling: "G06F", "G06F17", "G06F17/30" (as complete as the code allows). */
export function formatIpc(c: Ipc): string {
  if (c.group === "") return c.subclass;
  if (c.subgroup === "") return c.subclass + c.group;
  return `${c.subclass}${c.group}/${c.subgroup}`;
}

/** The matching key for taxonomy prefixes: "G06F17/30", "G06F17/" (group only), "G06F". */
export function ipcMatchKey(c: Ipc): string {
  if (c.group === "") return c.subclass;
  return `${c.subclass}${c.group}/${c.subgroup}`;
}

/**
 * The term of a code at a level: subclass "G06F", group "G06F17", subgroup "G06F17/30".
 * Null when the code is less detailed than the level asks (e.g. "G06F" at level group).
 */
export function ipcTerm(c: Ipc, level: IpcLevel): string | null {
  if (level === "subclass") return c.subclass;
  if (c.group === "") return null;
  if (level === "group") return c.subclass + c.group;
  if (c.subgroup === "") return null;
  return `${c.subclass}${c.group}/${c.subgroup}`;
}

/** Split an IPC list cell on `;`, `,`, `|` (or the given separators); empty pieces are dropped. */
export function splitIpcList(cell: string, separators = ";,|"): string[] {
  const out: string[] = [];
  let start = 0;
  for (let i = 0; i <= cell.length; i++) {
    if (i === cell.length || separators.includes(cell[i]!)) {
      const piece = cell.slice(start, i).trim();
      if (piece !== "") out.push(piece);
      start = i + 1;
    }
  }
  return out;
}
