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
 * Speed: every tree keeps a permutation of the rows in which each node's rows form one block (leaf
 * membership), so a grow proposal scans only the rows of one leaf and the leaf sums are tight gathers
 * over blocks. The residual is stored as R_i + G with a common shift G: after a tree's μ draw its
 * largest block moves G (O(1)) and only the other blocks touch their rows; the largest leaf's sum comes
 * from the running total Σ R_i. G is folded back into R once per sweep (where σ² needs Σ res² anyway).
 * Test rows have their own block permutation, updated only when a tree's structure changes;
 * posterior-mean test predictions accumulate Σ_draws μ per leaf (kept draws only) and are flushed to
 * the rows when the leaf disappears.
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

  // State. The residual yw − f (f = current sum of trees) is stored as R_i + G: R per row and a common
  // shift G, so that the largest block of rows a tree changes is updated in O(1) by moving G instead.
  // totR = Σ R_i (exact at the start of each sweep, updated incrementally within it).
  const trees: BartTree[] = Array.from({ length: T }, () => new BartTree());
  const iota = (m: number) => { const a = new Int32Array(m); for (let i = 0; i < m; i++) a[i] = i; return a; };
  const ord: Int32Array[] = Array.from({ length: T }, () => iota(n));
  const ordT: Int32Array[] = Array.from({ length: T }, () => iota(nt));
  for (const tr of trees) { tr.nobs[0] = n; tr.nT[0] = nt; }
  const R = Float64Array.from(yw);
  let G = 0;
  let totR: number;
  const f = new Float64Array(n);
  const scratch = new Int32Array(Math.max(n, nt, 1));
  let cap = 64;
  let sum = new Float64Array(cap);
  const lo = new Int32Array(p), hi = new Int32Array(p), lo2 = new Int32Array(p), hi2 = new Int32Array(p);
  const leaves: number[] = [], nogs: number[] = [];
  const availVars: number[] = [];
  // Pieces of a tree's change to the fit: position block [pS, pS + pC) of the tree's permutation, Δ = pD.
  const pS: number[] = [], pC: number[] = [], pD: number[] = [];

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

  const totalIter = nskip + ndpost * keepevery;
  let kept = 0;
  for (let it = 0; it < totalIter; it++) {
    if (binary) {
      // Albert–Chib: z_i | f ~ N(offset + f_i, 1) truncated to the side given by y_i; yw = z − offset.
      drawLatent(rng, n, y, R, offset, yw);
    }
    totR = sumAll(R);
    for (let t = 0; t < T; t++) {
      const tr = trees[t]!;
      const o = ord[t]!;
      if (tr.cap > cap) { cap = tr.cap; sum = new Float64Array(cap); }
      // --- propose (structure only) ---
      tr.leavesAndNogs(leaves, nogs);
      let gKind = 0, gNode = -1, gV = 0, gCut = 0;
      let nGrowable = 0;
      for (const l of leaves) if (available(tr, l, lo, hi, null) > 0) nGrowable++;
      const rootOnly = leaves.length === 1;
      let pGrowT = rootOnly ? (nGrowable > 0 ? 1 : 0) : nGrowable > 0 ? 0.5 : 0;
      if (rootOnly && nGrowable === 0) pGrowT = 0;
      const u = rng.uniform();
      let logPrior = 0; // prior × proposal part of the log MH ratio (likelihood added below)
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

      // --- partial-residual sums S_l = Σ_{i∈l} (res_i + μ_l) of the current leaves; the largest from totR ---
      const cnt = tr.nobs, st = tr.start, mu = tr.mu;
      let big = leaves[0]!;
      for (const l of leaves) if (cnt[l]! > cnt[big]!) big = l;
      let rest = 0;
      for (const l of leaves) {
        if (l === big) continue;
        const s = segSum(R, o, st[l]!, cnt[l]!);
        rest += s;
        sum[l] = s + cnt[l]! * (G + mu[l]!);
      }
      sum[big] = totR - rest + cnt[big]! * (G + mu[big]!);

      // --- accept / reject ---
      let kind = 0, nl = 0, sl = 0;
      if (gKind === 1) {
        proposals++;
        const s0 = st[gNode]!, c0 = cnt[gNode]!;
        const left = growStats(R, o, s0, c0, bins[gV]!, gCut);
        nl = left.n;
        sl = left.s + nl * (G + mu[gNode]!);
        const nr = c0 - nl, sr = sum[gNode]! - sl;
        if (nl >= minLeaf && nr >= minLeaf) {
          const lr = logLik(nl, sl) + logLik(nr, sr) - logLik(c0, sum[gNode]!);
          if (Math.log(rng.uniform()) < logPrior + lr) kind = 1;
        }
      } else if (gKind === 2) {
        proposals++;
        const l = tr.left[gNode]!, r = tr.right[gNode]!;
        const lr = logLik(cnt[l]! + cnt[r]!, sum[l]! + sum[r]!) - logLik(cnt[l]!, sum[l]!) - logLik(cnt[r]!, sum[r]!);
        if (Math.log(rng.uniform()) < logPrior + lr) kind = 2;
      }
      let cL = -1, cR = -1, muG = 0, muL = 0, muR = 0;
      if (kind === 1) {
        accepted++;
        muG = tr.mu[gNode]!;
        const s0 = tr.start[gNode]!, c0 = tr.nobs[gNode]!, sG = sum[gNode]!;
        tr.split(gNode, gV, gCut);
        cL = tr.left[gNode]!; cR = tr.right[gNode]!;
        if (tr.cap > cap) {
          const b = new Float64Array(tr.cap); b.set(sum); sum = b; cap = tr.cap;
        }
        partition(o, s0, c0, bins[gV]!, gCut, scratch);
        tr.start[cL] = s0; tr.nobs[cL] = nl; tr.start[cR] = s0 + nl; tr.nobs[cR] = c0 - nl;
        sum[cL] = sl; sum[cR] = sG - sl;
        if (nt > 0) {
          const oT = ordT[t]!, sT = tr.startT[gNode]!, cT = tr.nT[gNode]!;
          flushAcc(testAcc, oT, sT, cT, tr.acc[gNode]!);
          const nlT = partition(oT, sT, cT, binsT[gV]!, gCut, scratch);
          tr.startT[cL] = sT; tr.nT[cL] = nlT; tr.startT[cR] = sT + nlT; tr.nT[cR] = cT - nlT;
        }
        tr.acc[gNode] = 0; tr.acc[cL] = 0; tr.acc[cR] = 0;
      } else if (kind === 2) {
        accepted++;
        cL = tr.left[gNode]!; cR = tr.right[gNode]!;
        muL = tr.mu[cL]!; muR = tr.mu[cR]!;
        sum[gNode] = sum[cL]! + sum[cR]!;
        if (nt > 0) {
          const oT = ordT[t]!;
          flushAcc(testAcc, oT, tr.startT[cL]!, tr.nT[cL]!, tr.acc[cL]!);
          flushAcc(testAcc, oT, tr.startT[cR]!, tr.nT[cR]!, tr.acc[cR]!);
        }
        tr.acc[gNode] = 0;
        tr.collapse(gNode);
      }
      // --- draw every leaf μ; the change of the fit, piece by piece ---
      tr.leavesAndNogs(leaves, nogs);
      pS.length = 0; pC.length = 0; pD.length = 0;
      let bigP = 0;
      for (const l of leaves) {
        const nn = tr.nobs[l]!;
        const d = sigma2 + nn * tau2;
        const prev = kind === 1 && (l === cL || l === cR) ? muG : tr.mu[l]!;
        const m = (tau2 * sum[l]!) / d + Math.sqrt((sigma2 * tau2) / d) * rng.normal();
        tr.mu[l] = m;
        if (kind === 2 && l === gNode) {
          pS.push(tr.start[cL]!, tr.start[cR]!); pC.push(tr.nobs[cL]!, tr.nobs[cR]!); pD.push(m - muL, m - muR);
        } else {
          pS.push(tr.start[l]!); pC.push(nn); pD.push(m - prev);
        }
      }
      for (let k = 1; k < pC.length; k++) if (pC[k]! > pC[bigP]!) bigP = k;
      const dBig = pD[bigP]!;
      G -= dBig;
      for (let k = 0; k < pC.length; k++) {
        if (k === bigP) continue;
        const dd = pD[k]! - dBig;
        segAdd(R, o, pS[k]!, pC[k]!, -dd);
        totR -= pC[k]! * dd;
      }
    }
    // --- fold G into R; residual sum of squares; σ² ---
    {
      const ssr = foldShift(R, G);
      G = 0;
      if (!binary) sigma2 = (nuLambda + ssr) / rchisq(rng, nu + n);
    }
    // --- keep ---
    if (it >= nskip && (it - nskip + 1) % keepevery === 0) {
      sigmaDraws[kept] = Math.sqrt(sigma2);
      for (let i = 0; i < n; i++) f[i] = yw[i]! - R[i]!;
      addTo(trainSum, f, binary ? offset : NaN);
      if (trainDraws) trainDraws.push(binary ? f.map((v) => pnorm(offset + v)) : f.map((v) => offset + v));
      if (nt > 0) {
        if (ftest) {
          ftest.fill(0);
          for (let t = 0; t < T; t++) {
            const tr = trees[t]!, oT = ordT[t]!;
            tr.leavesAndNogs(leaves, nogs);
            for (const l of leaves) flushAcc(ftest, oT, tr.startT[l]!, tr.nT[l]!, tr.mu[l]!);
          }
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
      for (let t = 0; t < T; t++) {
        const tr = trees[t]!, oT = ordT[t]!;
        tr.leavesAndNogs(leaves, nogs);
        for (const l of leaves) flushAcc(testAcc, oT, tr.startT[l]!, tr.nT[l]!, tr.acc[l]!);
      }
      for (let i = 0; i < nt; i++) testMean[i] = offset + testAcc[i]! / ndpost;
    }
  }
  const fit: BartFit = { trainMean, testMean, sigma: sigmaDraws, acceptance: proposals ? accepted / proposals : 0, offset, ntree: T, ndpost };
  if (trainDraws) fit.trainDraws = trainDraws;
  if (testDraws) fit.testDraws = testDraws;
  return fit;
}

/** Σ_{k ∈ [s, s+c)} R[o[k]] with four accumulators (the rows of one leaf). */
function segSum(R: Float64Array, o: Int32Array, s: number, c: number): number {
  let a0 = 0, a1 = 0, a2 = 0, a3 = 0;
  const e = s + c, e4 = s + (c & ~3);
  let k = s;
  for (; k < e4; k += 4) {
    a0 += R[o[k]!]!;
    a1 += R[o[k + 1]!]!;
    a2 += R[o[k + 2]!]!;
    a3 += R[o[k + 3]!]!;
  }
  for (; k < e; k++) a0 += R[o[k]!]!;
  return a0 + a1 + (a2 + a3);
}

/** R[o[k]] += d for k ∈ [s, s+c). */
function segAdd(R: Float64Array, o: Int32Array, s: number, c: number, d: number): void {
  const e = s + c;
  for (let k = s; k < e; k++) R[o[k]!]! += d;
}

/** out[o[k]] += v for k ∈ [s, s+c) (flush a leaf's accumulated Σμ to its test rows; skip v = 0). */
function flushAcc(out: Float64Array, o: Int32Array, s: number, c: number, v: number): void {
  if (v === 0) return;
  const e = s + c;
  for (let k = s; k < e; k++) out[o[k]!]! += v;
}

const growOut = { n: 0, s: 0 };
/** Rows of block [s, s+c) going left at (bin ≤ cut): their count and Σ R (branch-free loop). */
function growStats(R: Float64Array, o: Int32Array, s: number, c: number, b: Uint16Array, cut: number): { n: number; s: number } {
  let nl = 0, sl = 0;
  const e = s + c;
  for (let k = s; k < e; k++) {
    const i = o[k]!;
    const m = b[i]! <= cut ? 1 : 0;
    nl += m;
    sl += m * R[i]!;
  }
  growOut.n = nl;
  growOut.s = sl;
  return growOut;
}

/**
 * Stable partition of block [s, s+c) of `o`: rows with bin ≤ cut first; returns their count. Branch-free:
 * every row is written to both destinations and only the matching cursor advances.
 */
function partition(o: Int32Array, s: number, c: number, b: Uint16Array, cut: number, scratch: Int32Array): number {
  let w = s, r = 0;
  const e = s + c;
  for (let k = s; k < e; k++) {
    const i = o[k]!;
    const m = b[i]! <= cut ? 1 : 0;
    o[w] = i;
    scratch[r] = i;
    w += m;
    r += 1 - m;
  }
  o.set(scratch.subarray(0, r), w);
  return w - s;
}

/** Σ R_i. */
function sumAll(R: Float64Array): number {
  let s = 0;
  for (let i = 0; i < R.length; i++) s += R[i]!;
  return s;
}

/** R_i += G for every row; returns Σ R_i² (the residual sum of squares). */
function foldShift(R: Float64Array, G: number): number {
  let ssr = 0;
  for (let i = 0; i < R.length; i++) {
    const r = R[i]! + G;
    R[i] = r;
    ssr += r * r;
  }
  return ssr;
}

/** out += v (offset NaN) or out += Φ(offset + v) (probit). */
function addTo(out: Float64Array, v: Float64Array, offset: number): void {
  const n = out.length;
  if (Number.isNaN(offset)) for (let i = 0; i < n; i++) out[i]! += v[i]!;
  else for (let i = 0; i < n; i++) out[i]! += pnorm(offset + v[i]!);
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
