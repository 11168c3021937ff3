/**
 * Covariates in synthetic DID by residualisation — Stata `sdid … covariates(x, projected)` after Kranz
 * (2022, xsynthdid): regress Y on the covariates with unit and period fixed effects on the never-treated
 * units only (HDFE OLS, `feols`), then subtract X·β̂ from every unit's outcome and run plain SDID on
 * the adjusted outcome. The "optimized" variant (β fitted jointly with the weights, as R synthdid) is
 * in sdid-optimized.ts; Kranz shows it can converge slowly or be unstable, hence projected is the default.
 */
import { estimationError } from "../../core/errors.js";
import { feols } from "../feols.js";

export interface CovariateProjection {
  /** adjusted outcome Y − Xβ̂, row-major N×T */
  Y: Float64Array;
  beta: { name: string; coef: number }[];
  /** covariates absorbed by the fixed effects (constant within unit or period) or collinear */
  dropped: string[];
  nobs: number;
}

/**
 * @param Y outcome N×T row-major; @param X covariates, each N×T row-major; @param never whether each
 * unit is never treated (the regression sample).
 */
export function projectCovariates(
  Y: Float64Array,
  N: number,
  T: number,
  X: { name: string; values: Float64Array }[],
  never: ArrayLike<boolean>,
): CovariateProjection {
  let n = 0;
  for (let i = 0; i < N; i++) if (never[i]) n++;
  if (n < 2) throw estimationError("covariate adjustment needs at least two never-treated units");
  const m = n * T;
  const y = new Float64Array(m);
  const unit = new Int32Array(m);
  const time = new Int32Array(m);
  const xs = X.map((x) => ({ name: x.name, values: new Float64Array(m) }));
  let r = 0;
  let u = 0;
  for (let i = 0; i < N; i++) {
    if (!never[i]) continue;
    for (let t = 0; t < T; t++, r++) {
      y[r] = Y[i * T + t]!;
      unit[r] = u;
      time[r] = t;
      for (let k = 0; k < X.length; k++) xs[k]!.values[r] = X[k]!.values[i * T + t]!;
    }
    u++;
  }
  const fit = feols({
    y,
    yName: "y",
    x: xs,
    fixedEffects: [
      { name: "unit", codes: unit, nLevels: n },
      { name: "time", codes: time, nLevels: T },
    ],
  });
  const beta = X.map((x) => {
    const k = fit.coefNames.indexOf(x.name);
    return { name: x.name, coef: k >= 0 ? fit.coef[k]! : 0 };
  });
  const out = Float64Array.from(Y);
  for (let k = 0; k < X.length; k++) {
    const b = beta[k]!.coef;
    if (b === 0) continue;
    const xv = X[k]!.values;
    for (let j = 0; j < out.length; j++) out[j] = out[j]! - b * xv[j]!;
  }
  return { Y: out, beta, dropped: fit.droppedCollinear, nobs: m };
}
