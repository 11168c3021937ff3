/**
 * Citation links as typed columns: for each citing patent, the indices of the cited patents in the same
 * table (−1 = an id not in the table; such citations are counted, never errors).
 */

export interface CitationLinks {
  /** CSR offsets (length n + 1) into `target`. */
  offsets: Int32Array;
  /** Cited patent index, or −1 when the cited id is not in the table. */
  target: Int32Array;
  /** Citations whose id is not in the table. */
  unknown: number;
}

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

/**
 * Citations received by each patent from the other patents of the table, excluding self-citations
 * (same applicant; patents with no applicant never count as self-citing) and citations of itself.
 */
export function citationsReceived(n: number, links: CitationLinks, applicant?: Int32Array): { received: Float64Array; self: number; unknown: number } {
  const received = new Float64Array(n);
  let self = 0;
  for (let p = 0; p < n; p++) {
    for (let k = links.offsets[p]!; k < links.offsets[p + 1]!; k++) {
      const q = links.target[k]!;
      if (q < 0) continue;
      if (q === p || isSelfCitation(applicant, p, q)) {
        self++;
        continue;
      }
      received[q]! += 1;
    }
  }
  return { received, self, unknown: links.unknown };
}
