/**
 * Covariance of the Sun–Abraham estimates (`vcov_matrix` of `did sunab`): the estimates are linear maps of
 * the interaction-model coefficients — `rel::l` = Σ_{cells at l} (n_c / n_l)·β_c (cell-share weights, as
 * `sunabAggregate`), covariates = their own coefficient — so Cov = L V Lᵀ with V the coefficient VCOV.
 */
import type { Mat } from "../core/linalg.js";
import type { SunabFit } from "../estimators/sunab.js";
import type { VcovMatrixBlock } from "./cs-aggregate.js";

/** L V Lᵀ over the terms `rel::l` (sf.rels order), then the covariates (coefficient order). */
export function sunabVcovMatrix(sf: SunabFit, V: Mat): VcovMatrixBlock {
  const k = V.cols;
  const rowsL: { term: string; w: Map<number, number> }[] = [];
  for (const l of sf.rels) {
    const cells = sf.cells.filter((c) => c.rel === l);
    const tot = cells.reduce((s, c) => s + c.n, 0);
    rowsL.push({ term: `rel::${l}`, w: new Map(cells.map((c) => [c.coef, c.n / tot])) });
  }
  const cellCoefs = new Set(sf.cells.map((c) => c.coef));
  sf.fit.coefNames.forEach((name, j) => {
    if (!cellCoefs.has(j)) rowsL.push({ term: name, w: new Map([[j, 1]]) });
  });
  const matrix = rowsL.map((a) =>
    rowsL.map((b) => {
      let s = 0;
      for (const [i, wi] of a.w) for (const [j, wj] of b.w) s += wi * wj * V.data[i * k + j]!;
      return s;
    }),
  );
  return { terms: rowsL.map((r) => r.term), matrix };
}
