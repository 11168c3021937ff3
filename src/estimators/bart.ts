/**
 * Bayesian additive regression trees (Chipman, George & McCulloch 2010, Ann. Appl. Stat. 4(1)):
 * y = f(x) + ε, f = Σ_{t=1}^{T} g(x; tree_t, μ_t), ε ~ N(0, σ²); for binary y the probit version
 * P(y = 1 | x) = Φ(offset + f(x)) via Albert & Chib (1993) latent z ~ N(offset + f(x), 1), y = 1[z > 0].
 *
 * Priors (defaults as R BART's wbart/pbart, METHODS.md §6.5): a node at depth d splits with probability
 * α(1 + d)^(−β) (α = 0.95, β = 2), split variable uniform over those with an available cut, cut uniform
 * over the available cutpoints; leaf μ ~ N(0, τ²) with τ = (max y − min y)/(2k√T) for centred continuous
 * y and τ = 3/(k√T) for probit (k = 2); σ² ~ νλ/χ²_ν with ν = 3 and λ such that P(σ < σ̂) = q = 0.9,
 * σ̂ the residual standard error of a linear regression of y on x (sd(y) if p ≥ n).
 *
 * Sampler: Bayesian backfitting (one tree at a time on the partial residual). Each tree gets a grow
 * or prune Metropolis–Hastings proposal with μ integrated out (leaf marginal likelihood
 * ½log(σ²/(σ²+nτ²)) + τ²S²/(2σ²(σ²+nτ²))), a child needs ≥ `minLeaf` observations; then every leaf μ is
 * drawn from N(τ²S/(σ²+nτ²), σ²τ²/(σ²+nτ²)); then σ² | rest ~ (νλ + SSR)/χ²_{ν+n}.
 *
 * Speed: per-observation leaf ids are kept for every tree (Uint16Array), so one pass over the data per
 * tree both applies the previous tree's change to the fit and gathers the sufficient statistics of the
 * current tree (the proposal depends only on the tree, so it is drawn before the pass). Test-set leaf
 * ids are updated only when a tree's structure changes; posterior-mean test predictions accumulate
 * Σ_draws μ per leaf and are flushed to the observations when the leaf disappears (O(#leaves) per draw).
 */
import { Rng } from "../core/rng.js";
import { inputError } from "../core/errors.js";
import { choleskyPivotless, crossVec, gram } from "../core/linalg.js";
import { pchisq, pnorm, qnorm } from "../core/distributions.js";
import { binColumn, makeCutpoints, type CutRule } from "./bart-cuts.js";
import { rchisq, rtruncnormAbove } from "./bart-random.js";
import { BartTree } from "./bart-tree.js";

export interface BartOptions {
  /** Number of trees (200 continuous, 50 probit). */
  ntree?: number;
  alpha?: number;
  beta?: number;
  k?: number;
  nu?: number;
  q?: number;
  /** Kept posterior draws (after thinning). */
  ndpost?: number;
  /** Burn-in iterations. */
  nskip?: number;
  /** Keep every `keepevery`-th draw after burn-in. */
  keepevery?: number;
  /** Maximum cutpoints per variable. */
  numcut?: number;
  cutRule?: CutRule;
  /** Minimum observations in a leaf created by a grow move (R BART: 5). */
  minLeaf?: number;
  /** Prior guess σ̂ (default: linear-regression residual SE). */
  sigest?: number;
  seed?: number;
  rng?: Rng;
  /** Probit BART for y ∈ {0, 1}. */
  binary?: boolean;
  /** Test predictors, columns like x. */
  xTest?: Float64Array[];
  keepTrainDraws?: boolean;
  keepTestDraws?: boolean;
  /** Names for messages. */
  names?: string[];
}

export interface BartFit {
  /** Posterior mean of f(x) + mean(y) (continuous) or of Φ(offset + f(x)) (probit), training rows. */
  trainMean: Float64Array;
  /** Same for the test rows (null without xTest). */
  testMean: Float64Array | null;
  /** Kept draws (rows) of the training/test predictions, when requested. */
  trainDraws?: Float64Array[];
  testDraws?: Float64Array[];
  /** σ of each kept draw (1 for probit). */
  sigma: Float64Array;
  /** Share of accepted grow/prune proposals. */
  acceptance: number;
  /** mean(y) (continuous) or Φ⁻¹(mean y) (probit). */
  offset: number;
  ntree: number;
  ndpost: number;
}

/** Residual standard error of OLS of y on [1, x] (collinear columns dropped); sd(y) if p ≥ n. */
export function linearSigmaHat(x: Float64Array[], y: Float64Array): number {
  const n = y.length;
  let m = 0;
  for (let i = 0; i < n; i++) m += y[i]!;
  m /= n;
  const yc = y.map((v) => v - m);
  let tss = 0;
  for (let i = 0; i < n; i++) tss += yc[i]! * yc[i]!;
  if (x.length + 1 >= n) return Math.sqrt(tss / Math.max(1, n - 1));
  const xc = x.map((c) => {
    let s = 0;
    for (let i = 0; i < n; i++) s += c[i]!;
    s /= n;
    return c.map((v) => v - s);
  });
  const g = gram(xc);
  const { L, kept } = choleskyPivotless(g, 1e-10);
  const b = crossVec(xc, yc);
  // Solve on the kept columns: forward then back substitution with L restricted to `kept`.
  const k = g.rows;
  const z = new Float64Array(k);
  for (const j of kept) {
    let s = b[j]!;
    for (const p of kept) if (p < j) s -= L.data[j * k + p]! * z[p]!;
    z[j] = s / L.data[j * k + j]!;
  }
  let explained = 0;
  for (const j of kept) explained += z[j]! * z[j]!;
  const rss = Math.max(0, tss - explained);
  const df = n - kept.length - 1;
  return Math.sqrt(rss / Math.max(1, df));
}

/** Quantile of χ²_df by bisection on the CDF. */
function qchisq(p: number, df: number): number {
  let lo = 0, hi = Math.max(1, df);
  while (pchisq(hi, df) < p) hi *= 2;
  for (let it = 0; it < 200; it++) {
    const mid = (lo + hi) / 2;
    if (pchisq(mid, df) < p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/** Fit BART by MCMC; see the file comment for the model, priors and sampler. */
export function bart(x: Float64Array[], y: Float64Array, opts: BartOptions = {}): BartFit {
  const binary = Boolean(opts.binary);
  const T = opts.ntree ?? (binary ? 50 : 200);
  const alpha = opts.alpha ?? 0.95;
  const beta = opts.beta ?? 2;
  const kk = opts.k ?? 2;
  const nu = opts.nu ?? 3;
  const q = opts.q ?? 0.9;
  const ndpost = opts.ndpost ?? 1000;
  const nskip = opts.nskip ?? 100;
  const keepevery = opts.keepevery ?? 1;
  const numcut = opts.numcut ?? 100;
  const minLeaf = opts.minLeaf ?? 5;
  const rng = opts.rng ?? new Rng(opts.seed ?? 1);
  const n = y.length;
  const p = x.length;
  const names = opts.names ?? x.map((_, v) => `x${v + 1}`);
  if (n < 2) throw inputError(`BART needs at least 2 observations, got ${n}`);
  if (p === 0) throw inputError("BART needs at least one predictor");
  for (let v = 0; v < p; v++) {
    if (x[v]!.length !== n) throw inputError(`predictor '${names[v]}' has ${x[v]!.length} values, expected ${n}`);
    for (let i = 0; i < n; i++) if (!Number.isFinite(x[v]![i]!)) throw inputError(`missing or non-finite predictor value`, { row: i + 1, column: names[v] });
  }
  for (let i = 0; i < n; i++) {
    const v = y[i]!;
    if (!Number.isFinite(v)) throw inputError("missing or non-finite outcome value", { row: i + 1, column: "y" });
    if (binary && v !== 0 && v !== 1) throw inputError(`probit BART needs y in {0, 1}, got ${v}`, { row: i + 1, column: "y" });
  }
  const xTest = opts.xTest;
  const nt = xTest ? xTest[0]?.length ?? 0 : 0;
  if (xTest) {
    if (xTest.length !== p) throw inputError(`test predictors have ${xTest.length} columns, expected ${p}`);
    for (let v = 0; v < p; v++) {
      if (xTest[v]!.length !== nt) throw inputError(`test predictor '${names[v]}' has ${xTest[v]!.length} values, expected ${nt}`);
      for (let i = 0; i < nt; i++) if (!Number.isFinite(xTest[v]![i]!)) throw inputError("missing or non-finite test predictor value", { row: i + 1, column: names[v] });
    }
  }

  // Cutpoints and bins.
  const cuts = x.map((c) => makeCutpoints(c, numcut, opts.cutRule ?? "uniform"));
  const ncut = Int32Array.from(cuts, (c) => c.length);
  const bins = x.map((c, v) => binColumn(c, cuts[v]!));
  const binsT = xTest ? xTest.map((c, v) => binColumn(c, cuts[v]!)) : [];

  // Working response.
  let offset: number;
  const yw = new Float64Array(n);
  let tau: number;
  let sigma2: number;
  let nuLambda = 0;
  if (binary) {
    let m = 0;
    for (let i = 0; i < n; i++) m += y[i]!;
    m /= n;
    offset = qnorm(Math.min(Math.max(m, 1e-6), 1 - 1e-6));
    tau = 3 / (kk * Math.sqrt(T));
    sigma2 = 1;
  } else {
    let m = 0, lo = Infinity, hi = -Infinity;
    for (let i = 0; i < n; i++) m += y[i]!;
    m /= n;
    offset = m;
    for (let i = 0; i < n; i++) {
      const v = y[i]! - m;
      yw[i] = v;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    tau = (hi - lo) / (2 * kk * Math.sqrt(T));
    if (!(tau > 0)) tau = 1 / (2 * kk * Math.sqrt(T));
    const sHat = opts.sigest ?? linearSigmaHat(x, y);
    const sh = sHat > 0 ? sHat : 1;
    const lambda = (sh * sh * qchisq(1 - q, nu)) / nu;
    nuLambda = nu * lambda;
    sigma2 = sh * sh;
  }
  const tau2 = tau * tau;

  // State.
  const trees: BartTree[] = Array.from({ length: T }, () => new BartTree());
  const leaf: Uint16Array[] = Array.from({ length: T }, () => new Uint16Array(n));
  const leafT: Uint16Array[] = Array.from({ length: T }, () => new Uint16Array(nt));
  // res = yw − f (f = current sum of trees); the fit itself is yw − res.
  const res = Float64Array.from(yw);
  const f = new Float64Array(n);
  for (const tr of trees) tr.nobs[0] = n;
  let cap = 64;
  let sum = new Float64Array(cap);
  let muOld = new Float64Array(cap);
  // Δ of each tree's fit per leaf (indexed by the new leaf after a grow, by the old leaf otherwise).
  let dlPrev = new Float64Array(cap), dlCur = new Float64Array(cap);
  const lo = new Int32Array(p), hi = new Int32Array(p), lo2 = new Int32Array(p), hi2 = new Int32Array(p);
  const leaves: number[] = [], nogs: number[] = [];
  const passStats = new Float64Array(4);
  const availVars: number[] = [];

  const trainSum = new Float64Array(n);
  const testAcc = new Float64Array(nt);
  const testSum = new Float64Array(nt);
  const ftest = binary || opts.keepTestDraws ? new Float64Array(nt) : null;
  const trainDraws: Float64Array[] | undefined = opts.keepTrainDraws ? [] : undefined;
  const testDraws: Float64Array[] | undefined = opts.keepTestDraws ? [] : undefined;
  const sigmaDraws = new Float64Array(ndpost);
  let proposals = 0, accepted = 0;

  const logLik = (nn: number, s: number) => {
    const d = sigma2 + nn * tau2;
    return 0.5 * Math.log(sigma2 / d) + (0.5 * tau2 * s * s) / (sigma2 * d);
  };
  const pSplit = (depth: number) => alpha * Math.pow(1 + depth, -beta);
  /** Ranges at `node` into lo/hi; returns the number of variables with an available cut (fills availVars). */
  const available = (tr: BartTree, node: number, L: Int32Array, H: Int32Array, list: number[] | null): number => {
    tr.ranges(node, ncut, L, H);
    let k = 0;
    if (list) list.length = 0;
    for (let v = 0; v < p; v++) if (H[v]! >= L[v]!) { k++; if (list) list.push(v); }
    return k;
  };

  // Pending change of the previously updated tree, applied during the next pass.
  let pT = -1, pKind = 0, pNode = 0, pL = 0, pR = 0, pCut = 0;
  let pBin: Uint16Array = bins[0] ?? new Uint16Array(0);

  const totalIter = nskip + ndpost * keepevery;
  let kept = 0;
  for (let it = 0; it < totalIter; it++) {
    if (binary) {
      // Albert–Chib: z_i | f ~ N(offset + f_i, 1) truncated to the side given by y_i; yw = z − offset.
      drawLatent(rng, n, y, res, offset, yw);
    }
    for (let t = 0; t < T; t++) {
      const tr = trees[t]!;
      if (tr.cap > cap) {
        cap = tr.cap;
        sum = new Float64Array(cap);
        const a = new Float64Array(cap); a.set(dlPrev); dlPrev = a;
        dlCur = new Float64Array(cap);
        muOld = new Float64Array(cap);
      }
      // --- propose (structure only) ---
      tr.leavesAndNogs(leaves, nogs);
      let gKind = 0, gNode = -1, gV = 0, gCut = 0;
      let nGrowable = 0;
      // count growable leaves
      for (const l of leaves) if (available(tr, l, lo, hi, null) > 0) nGrowable++;
      const rootOnly = leaves.length === 1;
      let pGrowT = rootOnly ? (nGrowable > 0 ? 1 : 0) : nGrowable > 0 ? 0.5 : 0;
      if (rootOnly && nGrowable === 0) pGrowT = 0;
      const u = rng.uniform();
      let logPrior = 0; // prior × proposal part of the log MH ratio (likelihood added after the pass)
      let gl: number, gr: number; // child growability (grow) / growability of children being removed (prune)
      if (u < pGrowT) {
        // grow: pick a growable leaf uniformly
        let pick = rng.int(nGrowable);
        for (const l of leaves) {
          if (available(tr, l, lo, hi, null) > 0) {
            if (pick === 0) { gNode = l; break; }
            pick--;
          }
        }
        const nav = available(tr, gNode, lo, hi, availVars);
        gV = availVars[rng.int(nav)]!;
        gCut = lo[gV]! + rng.int(hi[gV]! - lo[gV]! + 1);
        gKind = 1;
        gl = nav > 1 || gCut - 1 >= lo[gV]! ? 1 : 0;
        gr = nav > 1 || hi[gV]! >= gCut + 1 ? 1 : 0;
        const d = tr.depth[gNode]!;
        const pg = pSplit(d), pc = pSplit(d + 1);
        const par = tr.parent[gNode]!;
        let parIsNog = false;
        if (par >= 0) {
          const sib = tr.left[par] === gNode ? tr.right[par]! : tr.left[par]!;
          parIsNog = tr.isLeaf[sib] === 1;
        }
        const nNogsNew = nogs.length + 1 - (parIsNog ? 1 : 0);
        const nGrowNew = nGrowable - 1 + gl + gr;
        const pPruneNew = nGrowNew > 0 ? 0.5 : 1;
        logPrior = Math.log(pg) + (gl ? Math.log(1 - pc) : 0) + (gr ? Math.log(1 - pc) : 0) - Math.log(1 - pg)
          + Math.log(pPruneNew) - Math.log(nNogsNew) - Math.log(pGrowT) + Math.log(nGrowable);
      } else if (nogs.length > 0) {
        gNode = nogs[rng.int(nogs.length)]!;
        gKind = 2;
        const l = tr.left[gNode]!, r = tr.right[gNode]!;
        gl = available(tr, l, lo2, hi2, null) > 0 ? 1 : 0;
        gr = available(tr, r, lo2, hi2, null) > 0 ? 1 : 0;
        const d = tr.depth[gNode]!;
        const pg = pSplit(d), pc = pSplit(d + 1);
        const nGrowNew = nGrowable - gl - gr + 1;
        const pGrowNew = gNode === 0 ? 1 : 0.5;
        const pPruneT = 1 - pGrowT;
        logPrior = Math.log(1 - pg) - Math.log(pg) - (gl ? Math.log(1 - pc) : 0) - (gr ? Math.log(1 - pc) : 0)
          + Math.log(pGrowNew) - Math.log(nGrowNew) - Math.log(pPruneT) + Math.log(nogs.length);
      }

      // --- one pass: apply the previous tree's change, gather this tree's statistics ---
      const sumL = sum;
      sumL.fill(0, 0, tr.cap);
      const cnt = tr.nobs;
      const lc = leaf[t]!;
      const muC = tr.mu;
      const gb = gKind === 1 ? bins[gV]! : pBin;
      const st = passStats;
      if (pT >= 0) {
        applyAndGather(n, leaf[pT]!, dlPrev, pKind, pNode, pL, pR, pBin, pCut, res, lc, muC, sumL, gKind === 1 ? gNode : -1, gb, gCut, st);
      } else {
        dlPrev.fill(0);
        applyAndGather(n, lc, dlPrev, 0, -1, -1, -1, gb, 0, res, lc, muC, sumL, gKind === 1 ? gNode : -1, gb, gCut, st);
      }
      const nl = st[0]!, sl = st[1]!, nr = st[2]!, sr = st[3]!;

      // --- accept / reject ---
      let kind = 0, cL = 0, cR = 0;
      if (gKind === 1) {
        proposals++;
        if (nl >= minLeaf && nr >= minLeaf) {
          const lr = logLik(nl, sl) + logLik(nr, sr) - logLik(cnt[gNode]!, sum[gNode]!);
          if (Math.log(rng.uniform()) < logPrior + lr) kind = 1;
        }
      } else if (gKind === 2) {
        proposals++;
        const l = tr.left[gNode]!, r = tr.right[gNode]!;
        const lr = logLik(cnt[l]! + cnt[r]!, sum[l]! + sum[r]!) - logLik(cnt[l]!, sum[l]!) - logLik(cnt[r]!, sum[r]!);
        if (Math.log(rng.uniform()) < logPrior + lr) kind = 2;
      }
      // snapshot μ before the change
      muOld.set(tr.mu.subarray(0, tr.cap));
      if (kind === 1) {
        accepted++;
        [cL, cR] = tr.split(gNode, gV, gCut);
        if (tr.cap > cap) {
          // tree arrays grew: enlarge scratch, keep contents
          const grow = (a: Float64Array) => { const b = new Float64Array(tr.cap); b.set(a); return b; };
          sum = grow(sum); dlPrev = grow(dlPrev); dlCur = grow(dlCur); muOld = grow(muOld);
          cap = tr.cap;
        }
        tr.nobs[cL] = nl; sum[cL] = sl; tr.nobs[cR] = nr; sum[cR] = sr;
        if (nt > 0) testSplit(nt, leafT[t]!, binsT[gV]!, gNode, gCut, cL, cR, tr.acc[gNode]!, testAcc);
        tr.acc[gNode] = 0; tr.acc[cL] = 0; tr.acc[cR] = 0;
      } else if (kind === 2) {
        accepted++;
        cL = tr.left[gNode]!; cR = tr.right[gNode]!;
        tr.nobs[gNode] = tr.nobs[cL]! + tr.nobs[cR]!;
        sum[gNode] = sum[cL]! + sum[cR]!;
        if (nt > 0) testMerge(nt, leafT[t]!, gNode, cL, cR, tr.acc[cL]!, tr.acc[cR]!, testAcc);
        tr.acc[gNode] = 0;
        tr.collapse(gNode);
      }
      // --- draw every leaf μ ---
      tr.leavesAndNogs(leaves, nogs);
      for (const l of leaves) {
        const d = sigma2 + tr.nobs[l]! * tau2;
        tr.mu[l] = (tau2 * sum[l]!) / d + Math.sqrt((sigma2 * tau2) / d) * rng.normal();
        dlCur[l] = tr.mu[l]! - muOld[l]!;
      }
      if (kind === 1) {
        dlCur[cL] = tr.mu[cL]! - muOld[gNode]!;
        dlCur[cR] = tr.mu[cR]! - muOld[gNode]!;
      } else if (kind === 2) {
        dlCur[cL] = tr.mu[gNode]! - muOld[cL]!;
        dlCur[cR] = tr.mu[gNode]! - muOld[cR]!;
      }
      // hand over: this tree becomes the pending one
      const tmp = dlPrev; dlPrev = dlCur; dlCur = tmp;
      pT = t; pKind = kind; pNode = gNode; pL = cL; pR = cR; pCut = gCut;
      pBin = kind === 1 ? bins[gV]! : pBin;
    }
    // --- apply the last tree's change; residual sum of squares ---
    {
      const ssr = applyLast(n, leaf[pT]!, dlPrev, pKind, pNode, pL, pR, pBin, pCut, res);
      pT = -1;
      if (!binary) sigma2 = (nuLambda + ssr) / rchisq(rng, nu + n);
    }
    // --- keep ---
    if (it >= nskip && (it - nskip + 1) % keepevery === 0) {
      sigmaDraws[kept] = Math.sqrt(sigma2);
      for (let i = 0; i < n; i++) f[i] = yw[i]! - res[i]!;
      addTo(trainSum, f, binary ? offset : NaN);
      if (trainDraws) trainDraws.push(binary ? f.map((v) => pnorm(offset + v)) : f.map((v) => offset + v));
      if (nt > 0) {
        if (ftest) {
          ftest.fill(0);
          for (let t = 0; t < T; t++) addLeafValues(ftest, leafT[t]!, trees[t]!.mu);
          if (binary) addTo(testSum, ftest, offset);
          if (testDraws) testDraws.push(binary ? ftest.map((v) => pnorm(offset + v)) : ftest.map((v) => offset + v));
        }
        if (!binary) {
          for (let t = 0; t < T; t++) {
            const tr = trees[t]!;
            tr.leavesAndNogs(leaves, nogs);
            for (const l of leaves) tr.acc[l]! += tr.mu[l]!;
          }
        }
      }
      kept++;
    }
  }

  const trainMean = new Float64Array(n);
  for (let i = 0; i < n; i++) trainMean[i] = binary ? trainSum[i]! / ndpost : offset + trainSum[i]! / ndpost;
  let testMean: Float64Array | null = null;
  if (xTest) {
    testMean = new Float64Array(nt);
    if (binary) {
      for (let i = 0; i < nt; i++) testMean[i] = testSum[i]! / ndpost;
    } else {
      for (let t = 0; t < T; t++) addLeafValues(testAcc, leafT[t]!, trees[t]!.acc);
      for (let i = 0; i < nt; i++) testMean[i] = offset + testAcc[i]! / ndpost;
    }
  }
  const fit: BartFit = { trainMean, testMean, sigma: sigmaDraws, acceptance: proposals ? accepted / proposals : 0, offset, ntree: T, ndpost };
  if (trainDraws) fit.trainDraws = trainDraws;
  if (testDraws) fit.testDraws = testDraws;
  return fit;
}

/**
 * The per-tree pass: apply the previous tree's accepted change (re-route the observations of a split
 * leaf / merged children; res −= Δ of their leaf, Δ indexed by the new leaf after a grow and by the old
 * leaf otherwise), then accumulate this tree's partial-residual sums per leaf (r = res + μ_leaf) and
 * the two children's statistics of a proposed split of leaf `gNode` (stats = [n_L, S_L, n_R, S_R]).
 */
function applyAndGather(
  n: number, lp: Uint16Array, dl: Float64Array, pKind: number, pNode: number, pL: number, pR: number,
  pBin: Uint16Array, pCut: number, res: Float64Array, lc: Uint16Array, muC: Float64Array,
  sum: Float64Array, gNode: number, gb: Uint16Array, gCut: number, stats: Float64Array,
): void {
  let nl = 0, sl = 0, nr = 0, sr = 0;
  for (let i = 0; i < n; i++) {
    let jx = lp[i]!;
    if (pKind === 1) {
      if (jx === pNode) { jx = pBin[i]! <= pCut ? pL : pR; lp[i] = jx; }
    } else if (pKind === 2) {
      if (jx === pL || jx === pR) lp[i] = pNode;
    }
    const ri = res[i]! - dl[jx]!;
    res[i] = ri;
    const j = lc[i]!;
    const r = ri + muC[j]!;
    sum[j]! += r;
    if (j === gNode) {
      if (gb[i]! <= gCut) { nl++; sl += r; } else { nr++; sr += r; }
    }
  }
  stats[0] = nl; stats[1] = sl; stats[2] = nr; stats[3] = sr;
}

/** Apply the last tree's change and return the residual sum of squares Σ res². */
function applyLast(
  n: number, lp: Uint16Array, dl: Float64Array, pKind: number, pNode: number, pL: number, pR: number,
  pBin: Uint16Array, pCut: number, res: Float64Array,
): number {
  let ssr = 0;
  for (let i = 0; i < n; i++) {
    let jx = lp[i]!;
    if (pKind === 1) {
      if (jx === pNode) { jx = pBin[i]! <= pCut ? pL : pR; lp[i] = jx; }
    } else if (pKind === 2) {
      if (jx === pL || jx === pR) lp[i] = pNode;
    }
    const ri = res[i]! - dl[jx]!;
    res[i] = ri;
    ssr += ri * ri;
  }
  return ssr;
}

/** Test rows in leaf `node` take their accumulated Σμ and move to the new children. */
function testSplit(nt: number, ltt: Uint16Array, bt: Uint16Array, node: number, cut: number, cL: number, cR: number, acc: number, testAcc: Float64Array): void {
  for (let i = 0; i < nt; i++) {
    if (ltt[i] === node) { testAcc[i]! += acc; ltt[i] = bt[i]! <= cut ? cL : cR; }
  }
}

/** Test rows in the merged children take their accumulated Σμ and move to the parent. */
function testMerge(nt: number, ltt: Uint16Array, node: number, cL: number, cR: number, aL: number, aR: number, testAcc: Float64Array): void {
  for (let i = 0; i < nt; i++) {
    const j = ltt[i]!;
    if (j === cL) { testAcc[i]! += aL; ltt[i] = node; } else if (j === cR) { testAcc[i]! += aR; ltt[i] = node; }
  }
}

/** out += v (offset NaN) or out += Φ(offset + v) (probit). */
function addTo(out: Float64Array, v: Float64Array, offset: number): void {
  const n = out.length;
  if (Number.isNaN(offset)) for (let i = 0; i < n; i++) out[i]! += v[i]!;
  else for (let i = 0; i < n; i++) out[i]! += pnorm(offset + v[i]!);
}

/** out_i += values[leaf_i]. */
function addLeafValues(out: Float64Array, lt: Uint16Array, values: Float64Array): void {
  const n = out.length;
  for (let i = 0; i < n; i++) out[i]! += values[lt[i]!]!;
}

/**
 * Albert–Chib step: with f = yw − res, draw z_i ~ N(offset + f_i, 1) truncated to z > 0 (y = 1) or z < 0
 * (y = 0); the new working response is yw = z − offset = f + e and the residual res = e.
 */
function drawLatent(rng: Rng, n: number, y: Float64Array, res: Float64Array, offset: number, yw: Float64Array): void {
  for (let i = 0; i < n; i++) {
    const fi = yw[i]! - res[i]!;
    const m = offset + fi;
    const e = y[i]! === 1 ? rtruncnormAbove(rng, -m) : -rtruncnormAbove(rng, m);
    yw[i] = fi + e;
    res[i] = e;
  }
}
