/** Comparison of a `did cs` result with an R did reference JSON (test/fixtures/refs/mpdta_did_*.json). */
import assert from "node:assert/strict";
import { assertClose } from "../../helpers.js";

export interface RefRow {
  estimate: number;
  std_error: number | null;
  [k: string]: unknown;
}
export interface RefAgg {
  overall: RefRow;
  by?: RefRow[];
}
export interface Ref {
  att_gt: (RefRow & { group: number; time: number })[];
  aggregations: Record<string, RefAgg>;
}

export const REL = 1e-6;
export function closeRow(got: { estimate: number | null; std_error: number | null }, ref: RefRow, what: string): void {
  assertClose(got.estimate!, ref.estimate, REL, `${what} estimate`);
  if (ref.std_error === null) assert.equal(got.std_error, null, `${what} SE should be NA`);
  else assertClose(got.std_error!, ref.std_error, REL, `${what} SE`);
}

export function compareAll(res: Record<string, unknown>, ref: Ref, label: string): void {
  const gt = res.att_gt as { group: number; time: number; estimate: number; std_error: number | null }[];
  assert.equal(gt.length, ref.att_gt.length, `${label}: number of cells`);
  ref.att_gt.forEach((r, k) => {
    assert.equal(gt[k]!.group, r.group);
    assert.equal(gt[k]!.time, r.time);
    closeRow(gt[k]!, r, `${label} ATT(${r.group},${r.time})`);
  });
  const aggs = res.aggregations as Record<string, { overall: RefRow; by?: RefRow[] }>;
  for (const t of ["simple", "dynamic", "group", "calendar"]) {
    const a = aggs[t]!,
      ra = ref.aggregations[t]!;
    closeRow(a.overall, ra.overall, `${label} ${t} overall`);
    assert.equal((a.by ?? []).length, (ra.by ?? []).length, `${label} ${t}: number of by-values`);
    (ra.by ?? []).forEach((rb, j) => {
      const key = t === "dynamic" ? "e" : t === "group" ? "group" : "time";
      assert.equal(a.by![j]![key], rb[key], `${label} ${t} key`);
      closeRow(a.by![j]!, rb, `${label} ${t} ${key}=${String(rb[key])}`);
    });
  }
}
