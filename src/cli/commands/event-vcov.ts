/**
 * The full coefficient covariance of `did event` (`vcov_matrix`, docs/CONTRACT.md). The event-study
 * analysis (src/study/analyses/event.ts) returns the coefficient table but not V, so this refits the
 * same design (same sample rules, dummies, fixed effects and variance specification) and returns V.
 * TODO(lead): once src/study is free, return `vcovMatrixBlock(bundle.fit.coefNames, bundle.vc.V)` from
 * eventAnalysis itself and drop this second fit.
 */
import { numeric, selectRows, type Table } from "../../data/table.js";
import type { VcovMatrixBlock } from "../../inference/cs-aggregate.js";
import { buildDidDesign } from "../../study/analyses/did-prep.js";
import { eventDummies, relativeTime, type EventDummy, type EventOptions } from "../../study/analyses/event.js";
import { fitDesign, type SampleLog } from "../../study/analyses/model-input.js";

/** `{terms, matrix}` of a coefficient covariance V (k × k, row-major) with its coefficient names. */
export function vcovMatrixBlock(terms: string[], V: { rows: number; cols: number; data: Float64Array }): VcovMatrixBlock {
  const k = terms.length;
  return { terms, matrix: terms.map((_, i) => Array.from(V.data.subarray(i * k, (i + 1) * k))) };
}

/** Refit `did event` with the options of the analysis and return the covariance of every coefficient. */
export async function eventVcovMatrix(o: EventOptions): Promise<VcovMatrixBlock> {
  const ref = o.ref ?? [-1];
  const window = o.window ?? null;
  const endpoints = o.endpoints ?? "bin";
  const trimWindow = (t: Table, log: SampleLog): Table => {
    if (!window || endpoints !== "trim") return t;
    const rel = relativeTime(numeric(t, o.cohort), numeric(t, o.time));
    const keep = new Int32Array(rel.length);
    let m = 0;
    for (let i = 0; i < rel.length; i++) if (Number.isNaN(rel[i]!) || (rel[i]! >= window[0] && rel[i]! <= window[1])) keep[m++] = i;
    log.outside_window = t.nrows - m;
    return selectRows(t, keep.subarray(0, m));
  };
  const { design, spec } = await buildDidDesign(o, (t) => eventDummies(relativeTime(numeric(t, o.cohort), numeric(t, o.time)), ref, window, endpoints), trimWindow);
  for (const c of design.x) if ((c as EventDummy).ones) (c as EventDummy).owned = true;
  const { fit, vc } = fitDesign(design, spec, { ...o, bootstrap: undefined });
  return vcovMatrixBlock(fit.coefNames, vc.V);
}
