/**
 * Citation links as typed columns: for each citing patent, the indices of the cited patents in the same
 * table (−1 = an id not in the table; such citations are counted, never errors).
 *
 * Every citation made falls in exactly one bucket, checked in this order (`classifyCitation`):
 *   unknown     the cited id is not in the table;
 *   laterFiled  the cited patent was filed after the citing one (filing date when both have one, else
 *               filing year: date_q > date_p, or year_q > year_p) — not prior art, a data error; never counted;
 *   self        the patent cites itself, or both have the same known applicant;
 *   counted     everything else.
 * So total = counted + unknown + laterFiled + self (`CitationCounts`), and every measure reports them.
 */

export interface CitationLinks {
  /** CSR offsets (length n + 1) into `target`. */
  offsets: Int32Array;
  /** Cited patent index, or −1 when the cited id is not in the table. */
  target: Int32Array;
  /** Citations whose id is not in the table. */
  unknown: number;
}

/** How many citations fell in each bucket (see file comment); total = counted + unknown + laterFiled + self. */
export interface CitationCounts {
  /** Citations made (by the patents the measure looks at). */
  total: number;
  /** Citations the measure used (for diffusion: in the denominator; self-citations included when `include`). */
  counted: number;
  /** To ids not in the table. */
  unknown: number;
  /** To a patent filed later than the citing one: never counted. */
  laterFiled: number;
  /** To itself or to a patent of the same applicant. */
  self: number;
}

/** Filing information for the later-filed check: year, and YYYYMMDD dates when known (0 = none). */
export interface Filing {
  year: Int32Array;
  date?: Int32Array;
}

export const CITE_COUNTED = 0;
export const CITE_UNKNOWN = 1;
export const CITE_LATER = 2;
export const CITE_SELF = 3;

/** Resolve raw cited ids (CSR of strings) against the table's ids. */
export function resolveCitations(ids: readonly string[], cited: { offsets: Int32Array; raw: readonly string[] }): CitationLinks {
  const index = new Map<string, number>();
  for (let i = 0; i < ids.length; i++) index.set(ids[i]!, i);
  const target = new Int32Array(cited.raw.length);
  let unknown = 0;
  for (let k = 0; k < cited.raw.length; k++) {
    const j = index.get(cited.raw[k]!);
    target[k] = j ?? -1;
    if (j === undefined) unknown++;
  }
  return { offsets: cited.offsets, target, unknown };
}

/** True when both patents have a known applicant and it is the same (a self-citation). */
export function isSelfCitation(applicant: Int32Array | undefined, a: number, b: number): boolean {
  if (!applicant) return false;
  const x = applicant[a]!;
  return x >= 0 && x === applicant[b]!;
}

/** True when q was filed after p: date_q > date_p when both dates are known (> 0), else year_q > year_p. */
export function filedLater(f: Filing | undefined, p: number, q: number): boolean {
  if (!f) return false;
  if (f.date) {
    const dp = f.date[p]!;
    const dq = f.date[q]!;
    if (dp > 0 && dq > 0) return dq > dp;
  }
  return f.year[q]! > f.year[p]!;
}

/** The bucket of citation p → q (q = −1: unknown id), in the order of the file comment. */
export function classifyCitation(p: number, q: number, applicant?: Int32Array, filed?: Filing): number {
  if (q < 0) return CITE_UNKNOWN;
  if (filedLater(filed, p, q)) return CITE_LATER;
  if (q === p || isSelfCitation(applicant, p, q)) return CITE_SELF;
  return CITE_COUNTED;
}

/**
 * Citations received by each patent from the other patents of the table: received_q = #{p → q counted},
 * i.e. excluding self-citations (itself, or same applicant; patents with no applicant are never
 * self-citing except to themselves) and citations of a later-filed patent (when `filed` is given). The
 * counts of each bucket are returned (see file comment).
 */
export function citationsReceived(n: number, links: CitationLinks, applicant?: Int32Array, filed?: Filing): { received: Float64Array } & CitationCounts {
  const received = new Float64Array(n);
  const c = [0, 0, 0, 0];
  for (let p = 0; p < n; p++) {
    for (let k = links.offsets[p]!; k < links.offsets[p + 1]!; k++) {
      const q = links.target[k]!;
      const kind = classifyCitation(p, q, applicant, filed);
      c[kind]!++;
      if (kind === CITE_COUNTED) received[q]! += 1;
    }
  }
  return {
    received,
    total: c[0]! + c[1]! + c[2]! + c[3]!,
    counted: c[CITE_COUNTED]!,
    unknown: c[CITE_UNKNOWN]!,
    laterFiled: c[CITE_LATER]!,
    self: c[CITE_SELF]!,
  };
}
