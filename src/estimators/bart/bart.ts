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
import { Rng } from "../../core/rng.js";
import { inputError } from "../../core/errors.js";
import { choleskyPivotless, crossVec, gram } from "../../core/linalg.js";
import { pchisq, qnorm } from "../../core/distributions.js";
import { binColumn, makeCutpoints, type CutRule } from "./bart-cuts.js";
import { pnormFast, rchisq, rtruncnormAbove, ZigguratNormal } from "./bart-random.js";
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
  /**
   * Frequency weights (positive integers): row i stands for w_i identical observations. The posterior
   * is that of the data with every row repeated w_i times (leaf counts and sums, σ²'s residual sum of
   * squares and degrees of freedom, the prior's σ̂, the probit latent draws — one per copy), computed
   * on the distinct rows only. Used by the cluster bootstrap, whose resamples repeat whole clusters.
   */
  weights?: Float64Array;
  /**
   * Grouped mode (same model and posterior, another floating-point order and random stream than the
   * default): mutually exclusive 0/1 columns (e.g. year indicators) are kept sorted inside every node's
   * block, so a split on one of them touches only that column's rows, and test rows' leaf sums are
   * flushed lazily (a split never flushes; a prune flushes the smaller child only). Continuous fits without
   * `keepTestDraws`: a test row with the same bins as a training row gets that row's posterior mean (it
   * falls in the same leaves; equal to rounding) and is not routed through the trees.
   */
  grouped?: boolean;
  /** Start the chain from this forest (an earlier fit's `forest`, e.g. the point estimate's) and its σ. */
  init?: BartForest;
  /** Return the final state of the chain as `forest` (for warm starts). */
  keepForest?: boolean;
}

/** A chain's state independent of the data's row order and cut grid: encoded trees (BartTree.encode) and σ. */
export interface BartForest {
  trees: Float64Array[];
  sigma: number;
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
  /** Final state (with `keepForest`). */
  forest?: BartForest;
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
  let lo = 0,
    hi = Math.max(1, df);
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
  // the chain's draws: the caller's stream (opts.rng, which continues after the fit) or a new Rng(seed)
  const rng = opts.rng ?? new Rng(opts.seed ?? 1);
  // the sampler's normals (μ, probit latents, χ²): ziggurat draws on the same stream
  const zr = new ZigguratNormal(rng);
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
  const wt = opts.weights ?? null;
  let nObs = n;
  if (wt) {
    if (wt.length !== n) throw inputError(`weights have ${wt.length} values, expected ${n}`);
    nObs = 0;
    for (let i = 0; i < n; i++) {
      const w = wt[i]!;
      if (!(w >= 1 && Number.isInteger(w))) throw inputError(`BART frequency weights must be positive integers, got ${w}`, { row: i + 1 });
      nObs += w;
    }
  }
  // the weights as small integers for the row loops (12 KB for 6,000 rows: stays in the L1 cache)
  const wc: Counts | null = wt ? (wt.every((w) => w <= 65535) ? Uint16Array.from(wt) : wt) : null;
  const grouped = Boolean(opts.grouped);
  const xTest = opts.xTest;
  const ntAll = xTest ? (xTest[0]?.length ?? 0) : 0;
  if (xTest) {
    if (xTest.length !== p) throw inputError(`test predictors have ${xTest.length} columns, expected ${p}`);
    for (let v = 0; v < p; v++) {
      if (xTest[v]!.length !== ntAll) throw inputError(`test predictor '${names[v]}' has ${xTest[v]!.length} values, expected ${ntAll}`);
      for (let i = 0; i < ntAll; i++)
        if (!Number.isFinite(xTest[v]![i]!)) throw inputError("missing or non-finite test predictor value", { row: i + 1, column: names[v] });
    }
  }

  // Cutpoints and bins.
  const cuts = x.map((c) => makeCutpoints(c, numcut, opts.cutRule ?? "uniform"));
  const ncut = Int32Array.from(cuts, (c) => c.length);
  const bins = x.map((c, v) => binColumn(c, cuts[v]!));
  let binsT = xTest ? xTest.map((c, v) => binColumn(c, cuts[v]!)) : [];
  // Grouped continuous mode: a test row whose bins all equal a training row's falls in the same leaf of
  // every tree, so its posterior mean is that row's (trainMean, to rounding); only the others (xTestK)
  // are routed through the trees' test-row blocks (e.g. half of the (x, a = 1), (x, a = 0) rows).
  let testMatch: Int32Array | null = null;
  let xTestK = xTest;
  if (grouped && !binary && ntAll > 0 && !opts.keepTestDraws) {
    const key = (b: Uint16Array[], i: number) => {
      let k = "";
      for (let v = 0; v < p; v++) k += b[v]![i] + ",";
      return k;
    };
    const rowOf = new Map<string, number>();
    for (let i = 0; i < n; i++) {
      const k = key(bins, i);
      if (!rowOf.has(k)) rowOf.set(k, i);
    }
    const match = new Int32Array(ntAll);
    const rest: number[] = [];
    for (let j = 0; j < ntAll; j++) {
      const i = rowOf.get(key(binsT, j));
      match[j] = i ?? -1;
      if (i === undefined) rest.push(j);
    }
    if (rest.length < ntAll) {
      testMatch = match;
      binsT = binsT.map((c) => Uint16Array.from(rest, (j) => c[j]!));
      xTestK = xTest!.map((c) => Float64Array.from(rest, (j) => c[j]!));
    }
  }
  const nt = xTestK ? (xTestK[0]?.length ?? 0) : 0;

  // Working response.
  let offset: number;
  const yw = new Float64Array(n);
  let tau: number;
  let sigma2: number;
  let nuLambda = 0;
  if (binary) {
    let m = 0;
    if (wt) for (let i = 0; i < n; i++) m += wt[i]! * y[i]!;
    else for (let i = 0; i < n; i++) m += y[i]!;
    m /= nObs;
    offset = qnorm(Math.min(Math.max(m, 1e-6), 1 - 1e-6));
    tau = 3 / (kk * Math.sqrt(T));
    sigma2 = 1;
  } else {
    let m = 0,
      lo = Infinity,
      hi = -Infinity;
    if (wt) for (let i = 0; i < n; i++) m += wt[i]! * y[i]!;
    else for (let i = 0; i < n; i++) m += y[i]!;
    m /= nObs;
    offset = m;
    for (let i = 0; i < n; i++) {
      const v = y[i]! - m;
      yw[i] = v;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    tau = (hi - lo) / (2 * kk * Math.sqrt(T));
    if (!(tau > 0)) tau = 1 / (2 * kk * Math.sqrt(T));
    const sHat =
      opts.sigest ??
      (wt
        ? linearSigmaHat(
            x.map((c) => repeatRows(c, wt)),
            repeatRows(y, wt),
          )
        : linearSigmaHat(x, y));
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
  const leavesInit: number[] = [],
    nogsInit: number[] = [];
  const iota = (m: number) => {
    const a = new Int32Array(m);
    for (let i = 0; i < m; i++) a[i] = i;
    return a;
  };
  // Grouped mode: code[i] = 1 + (index in the group of the column equal to 1), 0 if none; rows sorted by it.
  const grp = grouped ? oneHotGroup(x, xTestK ?? null, ncut) : null;
  const start0 = grp ? sortByCode(grp.code, grp.size) : iota(n);
  const start0T = grp && nt > 0 ? sortByCode(grp.codeT!, grp.size) : iota(nt);
  const ord: Int32Array[] = Array.from({ length: T }, () => Int32Array.from(start0));
  const ordT: Int32Array[] = Array.from({ length: T }, () => Int32Array.from(start0T));
  for (const tr of trees) {
    tr.nobs[0] = nObs;
    tr.len[0] = n;
    tr.nT[0] = nt;
  }
  // Every tree labels its training rows by leaf: lab[t][i] = slot of the leaf holding row i (tr.slot[leaf]).
  // A grow proposal at the largest leaf on a continuous predictor then sums the smaller side of the cut
  // over all rows (sortV: rows by bin) and keeps those of that leaf (slotStats), instead of scanning the leaf.
  const labs: Uint16Array[] = Array.from({ length: T }, () => new Uint16Array(n));
  const slotFree: number[][] = Array.from({ length: T }, () => []);
  const slotNext = new Int32Array(T).fill(1);
  const newSlot = (t: number): number => {
    const f = slotFree[t]!;
    if (f.length) return f.pop()!;
    if (slotNext[t]! >= 65536) throw new Error("BART: too many leaves in one tree");
    return slotNext[t]!++;
  };
  const sortV: Int32Array[] = [],
    binStart: Int32Array[] = [];
  for (let v = 0; v < p; v++) {
    const b = bins[v]!,
      m = ncut[v]! + 1;
    const st = new Int32Array(m + 1);
    for (let i = 0; i < n; i++) st[b[i]! + 1]!++;
    for (let k = 1; k <= m; k++) st[k]! += st[k - 1]!;
    binStart.push(Int32Array.from(st));
    const sv = new Int32Array(n);
    for (let i = 0; i < n; i++) sv[st[b[i]!]!++] = i;
    sortV.push(sv);
  }
  const R = Float64Array.from(yw);
  const scratch = new Int32Array(Math.max(n, nt, 1));
  const lo = new Int32Array(p),
    hi = new Int32Array(p);
  if (opts.init) {
    // Warm start: rebuild each tree on this grid, route the rows, and start from its residual and σ.
    if (opts.init.trees.length !== T) throw inputError(`warm-start forest has ${opts.init.trees.length} trees, expected ${T}`);
    for (let t = 0; t < T; t++) {
      const tr = trees[t]!;
      tr.decode(opts.init.trees[t]!, cuts, ncut, lo, hi);
      routeBlocks(tr, ord[t]!, ordT[t]!, bins, binsT, wc, grp, scratch);
      tr.leavesAndNogs(leavesInit, nogsInit);
      for (const l of leavesInit) {
        segAdd(R, ord[t]!, tr.start[l]!, tr.len[l]!, -tr.mu[l]!);
        const sl = (tr.slot[l] = newSlot(t));
        setLab(labs[t]!, ord[t]!, tr.start[l]!, tr.len[l]!, sl);
      }
    }
    if (!binary && opts.init.sigma > 0) sigma2 = opts.init.sigma * opts.init.sigma;
  }
  let G = 0;
  let totR: number;
  const f = new Float64Array(n);
  let cap = 64;
  let sum = new Float64Array(cap);
  // Leaves and nogs of the tree last walked (same order as BartTree.leavesAndNogs), in reusable buffers.
  let leaves = new Int32Array(64),
    nogs = new Int32Array(64),
    stackBuf = new Int32Array(64);
  let nLeaves = 0,
    nNogs = 0;
  const walk = (tr: BartTree): void => {
    if (tr.cap > leaves.length) {
      leaves = new Int32Array(tr.cap);
      nogs = new Int32Array(tr.cap);
      stackBuf = new Int32Array(tr.cap);
    }
    nLeaves = 0;
    nNogs = 0;
    let sp = 0;
    stackBuf[sp++] = 0;
    while (sp > 0) {
      const k = stackBuf[--sp]!;
      if (tr.isLeaf[k]) {
        leaves[nLeaves++] = k;
        continue;
      }
      const l = tr.left[k]!,
        r = tr.right[k]!;
      if (tr.isLeaf[l] && tr.isLeaf[r]) nogs[nNogs++] = k;
      stackBuf[sp++] = r;
      stackBuf[sp++] = l;
    }
  };
  const availVars = new Int32Array(p);
  // Pieces of a tree's change to the fit: position block [pS, pS + pC) of the tree's permutation, Δ = pD.
  // pW: the block's observations (= pC without weights).
  let pS = new Int32Array(66),
    pC = new Int32Array(66),
    pD = new Float64Array(66),
    pW = new Float64Array(66);
  let np: number;
  const lazyTest = grouped && !binary && nt > 0;

  const trainSum = new Float64Array(n);
  const testAcc = new Float64Array(nt);
  const testSum = new Float64Array(nt);
  const ftest = binary || opts.keepTestDraws ? new Float64Array(nt) : null;
  const trainDraws: Float64Array[] | undefined = opts.keepTrainDraws ? [] : undefined;
  const testDraws: Float64Array[] | undefined = opts.keepTestDraws ? [] : undefined;
  const sigmaDraws = new Float64Array(ndpost);
  let proposals = 0,
    accepted = 0;

  const logLik = (nn: number, s: number) => {
    const d = sigma2 + nn * tau2;
    return 0.5 * Math.log(sigma2 / d) + (0.5 * tau2 * s * s) / (sigma2 * d);
  };
  const pSplit = (depth: number) => alpha * Math.pow(1 + depth, -beta);
  // log p_split(d), log(1 − p_split(d)) and log k, tabulated (the same values as computing them at each proposal)
  const DT = 64;
  const logPS = new Float64Array(DT),
    log1mPS = new Float64Array(DT);
  for (let d = 0; d < DT; d++) {
    logPS[d] = Math.log(pSplit(d));
    log1mPS[d] = Math.log(1 - pSplit(d));
  }
  const lPS = (d: number) => (d < DT ? logPS[d]! : Math.log(pSplit(d)));
  const l1mPS = (d: number) => (d < DT ? log1mPS[d]! : Math.log(1 - pSplit(d)));
  const logInt = new Float64Array(1024);
  for (let k = 1; k < 1024; k++) logInt[k] = Math.log(k);
  const lInt = (k: number) => (k < 1024 && k > 0 ? logInt[k]! : Math.log(k));
  const LOG_HALF = Math.log(0.5);
  /** log of a move probability, which is 1 or ½ here */
  const lMove = (q: number) => (q === 1 ? 0 : q === 0.5 ? LOG_HALF : Math.log(q));
  /** Ranges at `node` into lo/hi; returns the number of variables with an available cut (fills availVars). */
  const available = (tr: BartTree, node: number, L: Int32Array, H: Int32Array, list: Int32Array | null): number => {
    tr.ranges(node, ncut, L, H);
    let k = 0;
    if (list) {
      for (let v = 0; v < p; v++) if (H[v]! >= L[v]!) list[k++] = v;
    } else for (let v = 0; v < p; v++) if (H[v]! >= L[v]!) k++;
    return k;
  };

  // every node's number of predictors with an available cut (BartTree.nav), from its ancestors' splits
  for (const tr of trees) {
    const stack = [0];
    while (stack.length) {
      const k = stack.pop()!;
      tr.nav[k] = available(tr, k, lo, hi, null);
      if (!tr.isLeaf[k]) stack.push(tr.right[k]!, tr.left[k]!);
    }
  }
  const totalIter = nskip + ndpost * keepevery;
  let kept = 0;
  for (let it = 0; it < totalIter; it++) {
    const keepIt = it >= nskip && (it - nskip + 1) % keepevery === 0;
    const keepAcc = keepIt && nt > 0 && !binary;
    if (binary) {
      // Albert–Chib: z_i | f ~ N(offset + f_i, 1) truncated to the side given by y_i; yw = z − offset.
      if (wc) drawLatentW(zr, n, y, wc, R, offset, yw);
      else drawLatent(zr, n, y, R, offset, yw);
    }
    totR = wc ? sumAllW(R, wc) : sumAll(R);
    for (let t = 0; t < T; t++) {
      const tr = trees[t]!;
      const o = ord[t]!;
      if (tr.cap > cap) {
        cap = tr.cap;
        sum = new Float64Array(cap);
      }
      // --- propose (structure only) ---
      walk(tr);
      let gKind = 0,
        gNode = -1,
        gV = 0,
        gCut = 0;
      let nGrowable = 0;
      // grow: predictors with a cut at gNode, and whether gV keeps a cut in the left / right child
      let gNav = 0,
        gAvL = 0,
        gAvR = 0;
      for (let q = 0; q < nLeaves; q++) {
        const l = leaves[q]!;
        if (tr.nav[l]! > 0) nGrowable++;
      }
      const rootOnly = nLeaves === 1;
      let pGrowT = rootOnly ? (nGrowable > 0 ? 1 : 0) : nGrowable > 0 ? 0.5 : 0;
      if (rootOnly && nGrowable === 0) pGrowT = 0;
      const u = rng.uniform();
      let logPrior = 0; // prior × proposal part of the log MH ratio (likelihood added below)
      let gl: number, gr: number; // child growability (grow) / growability of children being removed (prune)
      if (u < pGrowT) {
        // grow: pick a growable leaf uniformly
        let pick = rng.int(nGrowable);
        for (let q = 0; q < nLeaves; q++) {
          const l = leaves[q]!;
          if (tr.nav[l]! > 0) {
            if (pick === 0) {
              gNode = l;
              break;
            }
            pick--;
          }
        }
        const nav = available(tr, gNode, lo, hi, availVars);
        gV = availVars[rng.int(nav)]!;
        gCut = lo[gV]! + rng.int(hi[gV]! - lo[gV]! + 1);
        gKind = 1;
        gNav = nav;
        gAvL = gCut - 1 >= lo[gV]! ? 1 : 0;
        gAvR = hi[gV]! >= gCut + 1 ? 1 : 0;
        gl = nav > 1 || gAvL ? 1 : 0;
        gr = nav > 1 || gAvR ? 1 : 0;
        const d = tr.depth[gNode]!;
        const par = tr.parent[gNode]!;
        let parIsNog = false;
        if (par >= 0) {
          const sib = tr.left[par] === gNode ? tr.right[par]! : tr.left[par]!;
          parIsNog = tr.isLeaf[sib] === 1;
        }
        const nNogsNew = nNogs + 1 - (parIsNog ? 1 : 0);
        const nGrowNew = nGrowable - 1 + gl + gr;
        const pPruneNew = nGrowNew > 0 ? 0.5 : 1;
        const l1mPc = l1mPS(d + 1);
        logPrior = lPS(d) + (gl ? l1mPc : 0) + (gr ? l1mPc : 0) - l1mPS(d) + lMove(pPruneNew) - lInt(nNogsNew) - lMove(pGrowT) + lInt(nGrowable);
      } else if (nNogs > 0) {
        gNode = nogs[rng.int(nNogs)]!;
        gKind = 2;
        const l = tr.left[gNode]!,
          r = tr.right[gNode]!;
        gl = tr.nav[l]! > 0 ? 1 : 0;
        gr = tr.nav[r]! > 0 ? 1 : 0;
        const d = tr.depth[gNode]!;
        const nGrowNew = nGrowable - gl - gr + 1;
        const pGrowNew = gNode === 0 ? 1 : 0.5;
        const pPruneT = 1 - pGrowT;
        const l1mPc = l1mPS(d + 1);
        logPrior = l1mPS(d) - lPS(d) - (gl ? l1mPc : 0) - (gr ? l1mPc : 0) + lMove(pGrowNew) - lInt(nGrowNew) - lMove(pPruneT) + lInt(nNogs);
      }

      // --- partial-residual sums S_l = Σ_{i∈l} w_i (res_i + μ_l) of the current leaves; the largest from totR ---
      const cnt = tr.nobs,
        len = tr.len,
        st = tr.start,
        mu = tr.mu;
      let big = leaves[0]!;
      for (let q = 0; q < nLeaves; q++) {
        const l = leaves[q]!;
        if (len[l]! > len[big]!) big = l;
      }
      // a grow proposal on a continuous predictor at a leaf other than the largest: its left-child
      // statistics come from the same pass as the leaf's sum (growOut; same sums, same order)
      const gFuse = gKind === 1 && gNode !== big && (grp ? grp.of[gV]! : 0) === 0;
      let rest = 0;
      for (let q = 0; q < nLeaves; q++) {
        const l = leaves[q]!;
        if (l === big) continue;
        const s =
          gFuse && l === gNode
            ? wc
              ? segSumGrowW(R, wc, o, st[l]!, len[l]!, bins[gV]!, gCut)
              : segSumGrow(R, o, st[l]!, len[l]!, bins[gV]!, gCut)
            : wc
              ? segSumW(R, wc, o, st[l]!, len[l]!)
              : segSum(R, o, st[l]!, len[l]!);
        rest += s;
        sum[l] = s + cnt[l]! * (G + mu[l]!);
      }
      sum[big] = totR - rest + cnt[big]! * (G + mu[big]!);

      // --- accept / reject ---
      let kind = 0,
        nl = 0,
        sl = 0;
      // the left child's block in positions: [lS, lS + lLen) after the partition (grouped: a range of codes)
      let gA = 0,
        gB = 0;
      const gk = grp ? grp.of[gV]! : 0;
      if (gKind === 1) {
        proposals++;
        const s0 = st[gNode]!,
          c0 = cnt[gNode]!,
          n0 = len[gNode]!;
        if (gk > 0) {
          // x_gV = 1 exactly on the rows with code gk: one contiguous range of the block (the right child)
          gA = codeBound(grp!.code, o, s0, s0 + n0, gk);
          gB = codeBound(grp!.code, o, gA, s0 + n0, gk + 1);
          const sr0 = wc ? segSumCountW(R, wc, o, gA, gB - gA) : segSum(R, o, gA, gB - gA);
          const nr = wc ? growOut.n : gB - gA;
          const sr = sr0 + nr * (G + mu[gNode]!);
          nl = c0 - nr;
          sl = sum[gNode]! - sr;
        } else {
          const nLe = gFuse ? 0 : binStart[gV]![gCut + 1]!;
          if (!gFuse && Math.min(nLe, n - nLe) < n0) {
            // the largest leaf: sum the smaller side of the cut over all rows, keeping this leaf's (slotStats)
            const lab = labs[t]!,
              sv = sortV[gV]!,
              sg = tr.slot[gNode]!;
            const shift = G + mu[gNode]!;
            if (nLe <= n - nLe) {
              const s = wc ? slotStatsW(R, wc, sv, 0, nLe, lab, sg) : slotStats(R, sv, 0, nLe, lab, sg);
              nl = growOut.n;
              sl = s + nl * shift;
            } else {
              const s = wc ? slotStatsW(R, wc, sv, nLe, n, lab, sg) : slotStats(R, sv, nLe, n, lab, sg);
              nl = c0 - growOut.n;
              sl = sum[gNode]! - (s + growOut.n * shift);
            }
          } else {
            const left = gFuse ? growOut : wc ? growStatsW(R, wc, o, s0, n0, bins[gV]!, gCut) : growStats(R, o, s0, n0, bins[gV]!, gCut);
            nl = left.n;
            sl = left.s + nl * (G + mu[gNode]!);
          }
        }
        const nr = c0 - nl,
          sr = sum[gNode]! - sl;
        if (nl >= minLeaf && nr >= minLeaf) {
          const lr = logLik(nl, sl) + logLik(nr, sr) - logLik(c0, sum[gNode]!);
          if (Math.log(rng.uniform()) < logPrior + lr) kind = 1;
        }
      } else if (gKind === 2) {
        proposals++;
        const l = tr.left[gNode]!,
          r = tr.right[gNode]!;
        const lr = logLik(cnt[l]! + cnt[r]!, sum[l]! + sum[r]!) - logLik(cnt[l]!, sum[l]!) - logLik(cnt[r]!, sum[r]!);
        if (Math.log(rng.uniform()) < logPrior + lr) kind = 2;
      }
      let cL = -1,
        cR = -1,
        muG = 0,
        muL = 0,
        muR = 0;
      if (kind === 1) {
        accepted++;
        muG = tr.mu[gNode]!;
        const s0 = tr.start[gNode]!,
          c0 = tr.nobs[gNode]!,
          n0 = tr.len[gNode]!,
          sG = sum[gNode]!;
        tr.split(gNode, gV, gCut);
        cL = tr.left[gNode]!;
        cR = tr.right[gNode]!;
        if (tr.cap > cap) {
          const b = new Float64Array(tr.cap);
          b.set(sum);
          sum = b;
          cap = tr.cap;
        }
        if (gk > 0) {
          const rS = moveRange(o, s0, s0 + n0, gA, gB, scratch);
          const lS = rS === s0 ? s0 + (gB - gA) : s0;
          tr.start[cL] = lS;
          tr.len[cL] = n0 - (gB - gA);
          tr.start[cR] = rS;
          tr.len[cR] = gB - gA;
        } else {
          const m = partition(o, s0, n0, bins[gV]!, gCut, scratch);
          tr.start[cL] = s0;
          tr.len[cL] = m;
          tr.start[cR] = s0 + m;
          tr.len[cR] = n0 - m;
        }
        tr.nobs[cL] = nl;
        tr.nobs[cR] = c0 - nl;
        {
          // the larger child keeps gNode's label; the smaller one's rows get a new one
          const [a, b] = tr.len[cL]! >= tr.len[cR]! ? [cL, cR] : [cR, cL];
          tr.slot[a] = tr.slot[gNode]!;
          const sb = (tr.slot[b] = newSlot(t));
          setLab(labs[t]!, o, tr.start[b]!, tr.len[b]!, sb);
        }
        // the children's ranges are gNode's with gV's narrowed to [lo, gCut − 1] / [gCut + 1, hi]
        tr.nav[cL] = gNav - 1 + gAvL;
        tr.nav[cR] = gNav - 1 + gAvR;
        sum[cL] = sl;
        sum[cR] = sG - sl;
        if (nt > 0) {
          const oT = ordT[t]!,
            sT = tr.startT[gNode]!,
            cT = tr.nT[gNode]!;
          if (!lazyTest) flushAcc(testAcc, oT, sT, cT, tr.acc[gNode]!);
          if (gk > 0) {
            const a = codeBound(grp!.codeT!, oT, sT, sT + cT, gk),
              b = codeBound(grp!.codeT!, oT, a, sT + cT, gk + 1);
            const rS = moveRange(oT, sT, sT + cT, a, b, scratch);
            tr.startT[cL] = rS === sT ? sT + (b - a) : sT;
            tr.nT[cL] = cT - (b - a);
            tr.startT[cR] = rS;
            tr.nT[cR] = b - a;
          } else {
            const nlT = partition(oT, sT, cT, binsT[gV]!, gCut, scratch);
            tr.startT[cL] = sT;
            tr.nT[cL] = nlT;
            tr.startT[cR] = sT + nlT;
            tr.nT[cR] = cT - nlT;
          }
        }
        // lazily flushed: the split node keeps its Σμ (it covers the same test rows as its children)
        if (!lazyTest) tr.acc[gNode] = 0;
        tr.acc[cL] = 0;
        tr.acc[cR] = 0;
      } else if (kind === 2) {
        accepted++;
        cL = tr.left[gNode]!;
        cR = tr.right[gNode]!;
        muL = tr.mu[cL]!;
        muR = tr.mu[cR]!;
        sum[gNode] = sum[cL]! + sum[cR]!;
        {
          // the merged leaf takes the larger child's label; the smaller child's rows are relabelled
          const [a, b] = tr.len[cL]! >= tr.len[cR]! ? [cL, cR] : [cR, cL];
          tr.slot[gNode] = tr.slot[a]!;
          slotFree[t]!.push(tr.slot[b]!);
          setLab(labs[t]!, o, tr.start[b]!, tr.len[b]!, tr.slot[gNode]!);
        }
        if (nt > 0) {
          const oT = ordT[t]!;
          if (lazyTest) {
            // the larger child's Σμ moves to the parent (all its rows); the smaller child's rows get the difference
            const [a, b] = tr.nT[cL]! <= tr.nT[cR]! ? [cL, cR] : [cR, cL];
            tr.acc[gNode] = tr.acc[gNode]! + tr.acc[b]!;
            flushAcc(testAcc, oT, tr.startT[a]!, tr.nT[a]!, tr.acc[a]! - tr.acc[b]!);
          } else {
            flushAcc(testAcc, oT, tr.startT[cL]!, tr.nT[cL]!, tr.acc[cL]!);
            flushAcc(testAcc, oT, tr.startT[cR]!, tr.nT[cR]!, tr.acc[cR]!);
          }
        }
        if (!lazyTest) tr.acc[gNode] = 0;
        if (grp && nt > 0)
          mergeRuns(
            ordT[t]!,
            tr.startT[gNode]!,
            Math.min(tr.startT[cL]!, tr.startT[cR]!) === tr.startT[cL]! ? tr.nT[cL]! : tr.nT[cR]!,
            tr.startT[gNode]! + tr.nT[gNode]!,
            grp.codeT!,
            scratch,
          );
        tr.collapse(gNode);
      }
      // --- draw every leaf μ; the change of the fit, piece by piece (leaves as walked above unless the move was accepted) ---
      if (kind !== 0) walk(tr);
      if (nLeaves + 2 > pS.length) {
        const c = 2 * (nLeaves + 2);
        pS = new Int32Array(c);
        pC = new Int32Array(c);
        pD = new Float64Array(c);
        pW = new Float64Array(c);
      }
      np = 0;
      let bigP = 0;
      for (let q = 0; q < nLeaves; q++) {
        const l = leaves[q]!;
        const nn = tr.nobs[l]!;
        const d = sigma2 + nn * tau2;
        const prev = kind === 1 && (l === cL || l === cR) ? muG : tr.mu[l]!;
        const m = (tau2 * sum[l]!) / d + Math.sqrt((sigma2 * tau2) / d) * zr.normal();
        tr.mu[l] = m;
        // a kept iteration's final μ of this tree (no later step of the sweep touches it): Σμ of the leaf
        if (keepAcc) tr.acc[l]! += m;
        if (kind === 2 && l === gNode) {
          pS[np] = tr.start[cL]!;
          pC[np] = tr.len[cL]!;
          pW[np] = tr.nobs[cL]!;
          pD[np++] = m - muL;
          pS[np] = tr.start[cR]!;
          pC[np] = tr.len[cR]!;
          pW[np] = tr.nobs[cR]!;
          pD[np++] = m - muR;
        } else {
          pS[np] = tr.start[l]!;
          pC[np] = tr.len[l]!;
          pW[np] = nn;
          pD[np++] = m - prev;
        }
      }
      for (let k = 1; k < np; k++) if (pC[k]! > pC[bigP]!) bigP = k;
      const dBig = pD[bigP]!;
      G -= dBig;
      for (let k = 0; k < np; k++) {
        if (k === bigP) continue;
        const dd = pD[k]! - dBig;
        segAdd(R, o, pS[k]!, pC[k]!, -dd);
        totR -= pW[k]! * dd;
      }
      // grouped: the pruned node's block is its two children's sorted blocks — merge them (after the update above used them)
      if (grp && kind === 2)
        mergeRuns(o, tr.start[gNode]!, tr.start[cL]! === tr.start[gNode]! ? tr.len[cL]! : tr.len[cR]!, tr.start[gNode]! + tr.len[gNode]!, grp.code, scratch);
    }
    // --- fold G into R; residual sum of squares; σ² ---
    {
      const ssr = wc ? foldShiftW(R, wc, G) : foldShift(R, G);
      G = 0;
      if (!binary) sigma2 = (nuLambda + ssr) / rchisq(zr, nu + nObs);
    }
    // --- keep ---
    if (keepIt) {
      sigmaDraws[kept] = Math.sqrt(sigma2);
      if (trainDraws) {
        for (let i = 0; i < n; i++) f[i] = yw[i]! - R[i]!;
        addTo(trainSum, f, binary ? offset : NaN);
        trainDraws.push(binary ? f.map((v) => pnormFast(offset + v)) : f.map((v) => offset + v));
      } else addFit(trainSum, yw, R, binary ? offset : NaN);
      if (nt > 0) {
        if (ftest) {
          ftest.fill(0);
          for (let t = 0; t < T; t++) {
            const tr = trees[t]!,
              oT = ordT[t]!;
            walk(tr);
            for (let q = 0; q < nLeaves; q++) {
              const l = leaves[q]!;
              flushAcc(ftest, oT, tr.startT[l]!, tr.nT[l]!, tr.mu[l]!);
            }
          }
          if (binary) addTo(testSum, ftest, offset);
          if (testDraws) testDraws.push(binary ? ftest.map((v) => pnormFast(offset + v)) : ftest.map((v) => offset + v));
        }
        // (continuous: the leaves' Σμ were accumulated at the μ draws of this sweep, keepAcc)
      }
      kept++;
    }
  }

  const trainMean = new Float64Array(n);
  for (let i = 0; i < n; i++) trainMean[i] = binary ? trainSum[i]! / ndpost : offset + trainSum[i]! / ndpost;
  let testMean: Float64Array | null = null;
  if (xTest) {
    testMean = new Float64Array(ntAll);
    if (binary) {
      for (let i = 0; i < nt; i++) testMean[i] = testSum[i]! / ndpost;
    } else {
      for (let t = 0; t < T; t++) {
        const tr = trees[t]!,
          oT = ordT[t]!;
        if (lazyTest) {
          // every node's Σμ (internal nodes keep theirs from before their split) to its test rows
          const stack = [0];
          while (stack.length) {
            const k = stack.pop()!;
            flushAcc(testAcc, oT, tr.startT[k]!, tr.nT[k]!, tr.acc[k]!);
            if (!tr.isLeaf[k]) stack.push(tr.left[k]!, tr.right[k]!);
          }
          continue;
        }
        walk(tr);
        for (let q = 0; q < nLeaves; q++) {
          const l = leaves[q]!;
          flushAcc(testAcc, oT, tr.startT[l]!, tr.nT[l]!, tr.acc[l]!);
        }
      }
      if (testMatch) {
        // test rows that are training rows (bins) take trainMean; the others the routed rows' means, in order
        let r = 0;
        for (let j = 0; j < ntAll; j++) testMean[j] = testMatch[j]! >= 0 ? trainMean[testMatch[j]!]! : offset + testAcc[r++]! / ndpost;
      } else for (let i = 0; i < nt; i++) testMean[i] = offset + testAcc[i]! / ndpost;
    }
  }
  const fit: BartFit = { trainMean, testMean, sigma: sigmaDraws, acceptance: proposals ? accepted / proposals : 0, offset, ntree: T, ndpost };
  if (trainDraws) fit.trainDraws = trainDraws;
  if (testDraws) fit.testDraws = testDraws;
  if (opts.keepForest) fit.forest = { trees: trees.map((tr) => tr.encode(cuts)), sigma: Math.sqrt(sigma2) };
  return fit;
}

/** Frequency weights as used by the row loops: Uint16Array when all ≤ 65535 (the usual case), else the Float64Array. */
type Counts = Uint16Array | Float64Array;

/** Every row repeated w_i times (the data a frequency-weighted fit stands for). */
function repeatRows(c: Float64Array, w: Float64Array): Float64Array {
  let m = 0;
  for (let i = 0; i < w.length; i++) m += w[i]!;
  const out = new Float64Array(m);
  let k = 0;
  for (let i = 0; i < w.length; i++) for (let r = 0; r < w[i]!; r++) out[k++] = c[i]!;
  return out;
}

/**
 * The largest set of mutually exclusive 0/1 columns (taken greedily in column order; training and test
 * rows): code[i] = 1 + the group index of the column that is 1 in row i (0 if none), of[v] = that code
 * for a group column v (0 for others). Null if fewer than two columns qualify.
 */
function oneHotGroup(
  x: Float64Array[],
  xTest: Float64Array[] | null,
  ncut: Int32Array,
): { code: Uint16Array; codeT: Uint16Array | null; of: Int32Array; size: number } | null {
  const n = x[0]!.length,
    nt = xTest ? xTest[0]!.length : 0;
  const code = new Uint16Array(n),
    codeT = xTest ? new Uint16Array(nt) : null;
  const of = new Int32Array(x.length);
  let size = 0;
  const binary01 = (c: Float64Array) => {
    for (let i = 0; i < c.length; i++) if (c[i] !== 0 && c[i] !== 1) return false;
    return true;
  };
  for (let v = 0; v < x.length && size < 65534; v++) {
    if (ncut[v] !== 1 || !binary01(x[v]!) || (xTest && !binary01(xTest[v]!))) continue;
    let ok = true;
    for (let i = 0; i < n && ok; i++) if (x[v]![i] === 1 && code[i] !== 0) ok = false;
    if (xTest) for (let i = 0; i < nt && ok; i++) if (xTest[v]![i] === 1 && codeT![i] !== 0) ok = false;
    if (!ok) continue;
    size++;
    of[v] = size;
    for (let i = 0; i < n; i++) if (x[v]![i] === 1) code[i] = size;
    if (xTest) for (let i = 0; i < nt; i++) if (xTest[v]![i] === 1) codeT![i] = size;
  }
  return size >= 2 ? { code, codeT, of, size } : null;
}

/**
 * Merge the two runs [s, s + m1) and [s + m1, e) of `o`, each sorted by code, into one sorted block
 * (equal codes: the first run's rows first); copies whole same-code segments.
 */
function mergeRuns(o: Int32Array, s: number, m1: number, e: number, code: Uint16Array, scratch: Int32Array): void {
  const e1 = s + m1;
  if (m1 === 0 || e1 === e || code[o[e1 - 1]!]! <= code[o[e1]!]!) return; // already in order
  // the first run's rows with codes ≤ the second run's first code, and the second run's rows with codes
  // ≥ the first run's last code, are already in place
  const i0 = codeBound(code, o, s, e1, code[o[e1]!]! + 1);
  e = codeBound(code, o, e1, e, code[o[e1 - 1]!]!);
  const s0 = i0;
  let i = i0,
    j = e1,
    w = 0;
  while (i < e1 && j < e) {
    const ci = code[o[i]!]!,
      cj = code[o[j]!]!;
    if (ci <= cj) {
      const i2 = codeBound(code, o, i, e1, ci + 1);
      scratch.set(o.subarray(i, i2), w);
      w += i2 - i;
      i = i2;
    } else {
      const j2 = codeBound(code, o, j, e, ci);
      scratch.set(o.subarray(j, j2), w);
      w += j2 - j;
      j = j2;
    }
  }
  if (i < e1) {
    scratch.set(o.subarray(i, e1), w);
    w += e1 - i;
  }
  if (j < e) {
    scratch.set(o.subarray(j, e), w);
    w += e - j;
  }
  o.set(scratch.subarray(0, w), s0);
}

/** Row indices 0..n−1 stably sorted by code (counting sort). */
function sortByCode(code: Uint16Array, size: number): Int32Array {
  const start = new Int32Array(size + 2);
  for (let i = 0; i < code.length; i++) start[code[i]! + 1]!++;
  for (let k = 1; k <= size + 1; k++) start[k]! += start[k - 1]!;
  const out = new Int32Array(code.length);
  for (let i = 0; i < code.length; i++) out[start[code[i]!]!++] = i;
  return out;
}

/** First position k in [s, e) with code[o[k]] ≥ key (codes are non-decreasing inside a block). */
function codeBound(code: Uint16Array, o: Int32Array, s: number, e: number, key: number): number {
  while (s < e) {
    const mid = (s + e) >>> 1;
    if (code[o[mid]!]! < key) s = mid + 1;
    else e = mid;
  }
  return s;
}

/**
 * Move positions [a, b) of block [s, e) to whichever end of the block is cheaper, keeping the order of
 * the rest (so both parts stay sorted by code); returns the new start of the moved range (s or e − (b − a)).
 */
function moveRange(o: Int32Array, s: number, e: number, a: number, b: number, scratch: Int32Array): number {
  const m = b - a;
  for (let k = 0; k < m; k++) scratch[k] = o[a + k]!;
  if (e - b <= a - s) {
    o.copyWithin(a, b, e);
    for (let k = 0; k < m; k++) o[e - m + k] = scratch[k]!;
    return e - m;
  }
  o.copyWithin(s + m, s, a);
  for (let k = 0; k < m; k++) o[s + k] = scratch[k]!;
  return s;
}

/**
 * Blocks of a freshly decoded tree: partition the training (and test) rows down from the root, in
 * preorder, exactly as the splits would have; leaf counts from the weights.
 */
function routeBlocks(
  tr: BartTree,
  o: Int32Array,
  oT: Int32Array,
  bins: Uint16Array[],
  binsT: Uint16Array[],
  wt: Counts | null,
  grp: { code: Uint16Array; codeT: Uint16Array | null; of: Int32Array } | null,
  scratch: Int32Array,
): void {
  const stack = [0];
  tr.start[0] = 0;
  tr.startT[0] = 0;
  while (stack.length) {
    const k = stack.pop()!;
    if (tr.isLeaf[k]) {
      tr.nobs[k] = wt ? segW(wt, o, tr.start[k]!, tr.len[k]!) : tr.len[k]!;
      continue;
    }
    const v = tr.v[k]!,
      c = tr.c[k]!,
      l = tr.left[k]!,
      r = tr.right[k]!;
    const gk = grp ? grp.of[v]! : 0;
    const s0 = tr.start[k]!,
      n0 = tr.len[k]!,
      sT = tr.startT[k]!,
      cT = tr.nT[k]!;
    if (gk > 0) {
      const a = codeBound(grp!.code, o, s0, s0 + n0, gk),
        b = codeBound(grp!.code, o, a, s0 + n0, gk + 1);
      const rS = moveRange(o, s0, s0 + n0, a, b, scratch);
      tr.start[l] = rS === s0 ? s0 + (b - a) : s0;
      tr.len[l] = n0 - (b - a);
      tr.start[r] = rS;
      tr.len[r] = b - a;
      if (cT > 0) {
        const aT = codeBound(grp!.codeT!, oT, sT, sT + cT, gk),
          bT = codeBound(grp!.codeT!, oT, aT, sT + cT, gk + 1);
        const rT = moveRange(oT, sT, sT + cT, aT, bT, scratch);
        tr.startT[l] = rT === sT ? sT + (bT - aT) : sT;
        tr.nT[l] = cT - (bT - aT);
        tr.startT[r] = rT;
        tr.nT[r] = bT - aT;
      } else {
        tr.startT[l] = sT;
        tr.nT[l] = 0;
        tr.startT[r] = sT;
        tr.nT[r] = 0;
      }
    } else {
      const m = partition(o, s0, n0, bins[v]!, c, scratch);
      tr.start[l] = s0;
      tr.len[l] = m;
      tr.start[r] = s0 + m;
      tr.len[r] = n0 - m;
      const mT = cT > 0 ? partition(oT, sT, cT, binsT[v]!, c, scratch) : 0;
      tr.startT[l] = sT;
      tr.nT[l] = mT;
      tr.startT[r] = sT + mT;
      tr.nT[r] = cT - mT;
    }
    tr.nobs[k] = wt ? segW(wt, o, s0, n0) : n0;
    tr.acc[k] = 0;
    stack.push(r, l);
  }
}

/** lab[o[k]] = slot for k ∈ [s, s+c) (the rows of one leaf). */
function setLab(lab: Uint16Array, o: Int32Array, s: number, c: number, slot: number): void {
  const e = s + c;
  for (let k = s; k < e; k++) lab[o[k]!] = slot;
}

/**
 * Over positions [a, b) of sv (rows sorted by a predictor's bin), the rows labelled `slot` (one leaf):
 * Σ w R returned, Σ w left in growOut.n.
 */
function slotStatsW(R: Float64Array, w: Counts, sv: Int32Array, a: number, b: number, lab: Uint16Array, slot: number): number {
  let nl = 0,
    s0 = 0,
    s1 = 0;
  let k = a;
  const b2 = a + ((b - a) & ~1);
  for (; k < b2; k += 2) {
    const i = sv[k]!,
      j = sv[k + 1]!;
    if (lab[i] === slot) {
      const wi = w[i]!;
      nl += wi;
      s0 += wi * R[i]!;
    }
    if (lab[j] === slot) {
      const wj = w[j]!;
      nl += wj;
      s1 += wj * R[j]!;
    }
  }
  for (; k < b; k++) {
    const i = sv[k]!;
    if (lab[i] === slot) {
      const wi = w[i]!;
      nl += wi;
      s0 += wi * R[i]!;
    }
  }
  growOut.n = nl;
  return s0 + s1;
}

/** slotStatsW without weights (count and Σ R of the rows labelled `slot` among sv[a..b)). */
function slotStats(R: Float64Array, sv: Int32Array, a: number, b: number, lab: Uint16Array, slot: number): number {
  let nl = 0,
    s0 = 0;
  for (let k = a; k < b; k++) {
    const i = sv[k]!;
    if (lab[i] === slot) {
      nl++;
      s0 += R[i]!;
    }
  }
  growOut.n = nl;
  return s0;
}

/** Σ_{k ∈ [s, s+c)} w[o[k]]. */
function segW(w: Counts, o: Int32Array, s: number, c: number): number {
  let a = 0;
  for (let k = s; k < s + c; k++) a += w[o[k]!]!;
  return a;
}

/** Σ_{k ∈ [s, s+c)} w[o[k]] R[o[k]], with four accumulators. */
function segSumW(R: Float64Array, w: Counts, o: Int32Array, s: number, c: number): number {
  let a0 = 0,
    a1 = 0,
    a2 = 0,
    a3 = 0;
  const e = s + c,
    e4 = s + (c & ~3);
  let k = s;
  for (; k < e4; k += 4) {
    const i0 = o[k]!,
      i1 = o[k + 1]!,
      i2 = o[k + 2]!,
      i3 = o[k + 3]!;
    a0 += w[i0]! * R[i0]!;
    a1 += w[i1]! * R[i1]!;
    a2 += w[i2]! * R[i2]!;
    a3 += w[i3]! * R[i3]!;
  }
  for (; k < e; k++) {
    const i = o[k]!;
    a0 += w[i]! * R[i]!;
  }
  return a0 + a1 + (a2 + a3);
}

/** Σ_{k ∈ [s, s+c)} w[o[k]] R[o[k]] (returned) and Σ w[o[k]] (left in growOut.n), one pass. */
function segSumCountW(R: Float64Array, w: Counts, o: Int32Array, s: number, c: number): number {
  let a0 = 0,
    a1 = 0,
    n0 = 0,
    n1 = 0;
  const e = s + c,
    e2 = s + (c & ~1);
  let k = s;
  for (; k < e2; k += 2) {
    const i = o[k]!,
      j = o[k + 1]!;
    const wi = w[i]!,
      wj = w[j]!;
    n0 += wi;
    n1 += wj;
    a0 += wi * R[i]!;
    a1 += wj * R[j]!;
  }
  for (; k < e; k++) {
    const i = o[k]!;
    const wi = w[i]!;
    n0 += wi;
    a0 += wi * R[i]!;
  }
  growOut.n = n0 + n1;
  return a0 + a1;
}

/**
 * segSumW and growStatsW of the same block in one pass: returns Σ w R over the block (segSumW's two
 * accumulators) and leaves Σ w and Σ w R over the rows with bin ≤ cut in growOut (growStatsW's order).
 */
function segSumGrowW(R: Float64Array, w: Counts, o: Int32Array, s: number, c: number, b: Uint16Array, cut: number): number {
  let a0 = 0,
    a1 = 0,
    nl = 0,
    sl = 0;
  const e = s + c,
    e2 = s + (c & ~1);
  let k = s;
  for (; k < e2; k += 2) {
    const i = o[k]!,
      j = o[k + 1]!;
    const wi = w[i]!,
      wj = w[j]!;
    const pi = wi * R[i]!,
      pj = wj * R[j]!;
    a0 += pi;
    a1 += pj;
    if (b[i]! <= cut) {
      nl += wi;
      sl += pi;
    }
    if (b[j]! <= cut) {
      nl += wj;
      sl += pj;
    }
  }
  for (; k < e; k++) {
    const i = o[k]!;
    const wi = w[i]!;
    const pi = wi * R[i]!;
    a0 += pi;
    if (b[i]! <= cut) {
      nl += wi;
      sl += pi;
    }
  }
  growOut.n = nl;
  growOut.s = sl;
  return a0 + a1;
}

/** segSum and growStats of the same block in one pass (the same sums in the same order; growOut as growStats). */
function segSumGrow(R: Float64Array, o: Int32Array, s: number, c: number, b: Uint16Array, cut: number): number {
  let a0 = 0,
    a1 = 0,
    a2 = 0,
    a3 = 0,
    nl = 0,
    sl = 0;
  const e = s + c,
    e4 = s + (c & ~3);
  let k = s;
  for (; k < e4; k += 4) {
    const i0 = o[k]!,
      i1 = o[k + 1]!,
      i2 = o[k + 2]!,
      i3 = o[k + 3]!;
    const r0 = R[i0]!,
      r1 = R[i1]!,
      r2 = R[i2]!,
      r3 = R[i3]!;
    a0 += r0;
    a1 += r1;
    a2 += r2;
    a3 += r3;
    const m0 = b[i0]! <= cut ? 1 : 0,
      m1 = b[i1]! <= cut ? 1 : 0,
      m2 = b[i2]! <= cut ? 1 : 0,
      m3 = b[i3]! <= cut ? 1 : 0;
    nl += m0;
    sl += m0 * r0;
    nl += m1;
    sl += m1 * r1;
    nl += m2;
    sl += m2 * r2;
    nl += m3;
    sl += m3 * r3;
  }
  for (; k < e; k++) {
    const i = o[k]!;
    const r = R[i]!;
    a0 += r;
    const m = b[i]! <= cut ? 1 : 0;
    nl += m;
    sl += m * r;
  }
  growOut.n = nl;
  growOut.s = sl;
  return a0 + a1 + (a2 + a3);
}

/** Σ w_i R_i. */
function sumAllW(R: Float64Array, w: Counts): number {
  let s = 0;
  for (let i = 0; i < R.length; i++) s += w[i]! * R[i]!;
  return s;
}

/** R_i += G for every row; returns Σ w_i R_i². */
function foldShiftW(R: Float64Array, w: Counts, G: number): number {
  let ssr = 0;
  for (let i = 0; i < R.length; i++) {
    const r = R[i]! + G;
    R[i] = r;
    ssr += w[i]! * r * r;
  }
  return ssr;
}

/** growStats with frequency weights: Σ w and Σ w R over the rows going left. */
function growStatsW(R: Float64Array, w: Counts, o: Int32Array, s: number, c: number, b: Uint16Array, cut: number): { n: number; s: number } {
  let nl = 0,
    sl = 0;
  const e = s + c;
  for (let k = s; k < e; k++) {
    const i = o[k]!;
    if (b[i]! <= cut) {
      const wi = w[i]!;
      nl += wi;
      sl += wi * R[i]!;
    }
  }
  growOut.n = nl;
  growOut.s = sl;
  return growOut;
}

/**
 * drawLatent with frequency weights: row i stands for w_i observations, each with its own latent draw;
 * res_i becomes the mean of their residuals (the leaf sums need only Σ_copies = w_i res_i).
 */
function drawLatentW(rng: ZigguratNormal, n: number, y: Float64Array, w: Counts, res: Float64Array, offset: number, yw: Float64Array): void {
  for (let i = 0; i < n; i++) {
    const fi = yw[i]! - res[i]!;
    const m = offset + fi;
    const wi = w[i]!;
    let e = 0;
    for (let r = 0; r < wi; r++) e += y[i]! === 1 ? rtruncnormAbove(rng, -m) : -rtruncnormAbove(rng, m);
    e /= wi;
    yw[i] = fi + e;
    res[i] = e;
  }
}

/** Σ_{k ∈ [s, s+c)} R[o[k]] with four accumulators (the rows of one leaf). */
function segSum(R: Float64Array, o: Int32Array, s: number, c: number): number {
  let a0 = 0,
    a1 = 0,
    a2 = 0,
    a3 = 0;
  const e = s + c,
    e4 = s + (c & ~3);
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
  const e = s + c,
    e4 = s + (c & ~3);
  let k = s;
  for (; k < e4; k += 4) {
    const i0 = o[k]!,
      i1 = o[k + 1]!,
      i2 = o[k + 2]!,
      i3 = o[k + 3]!;
    R[i0]! += d;
    R[i1]! += d;
    R[i2]! += d;
    R[i3]! += d;
  }
  for (; k < e; k++) R[o[k]!]! += d;
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
  let nl = 0,
    sl = 0;
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
  let w = s,
    r = 0;
  const e = s + c;
  for (let k = s; k < e; k++) {
    const i = o[k]!;
    const m = b[i]! <= cut ? 1 : 0;
    o[w] = i;
    scratch[r] = i;
    w += m;
    r += 1 - m;
  }
  for (let k = 0; k < r; k++) o[w + k] = scratch[k]!;
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
  else for (let i = 0; i < n; i++) out[i]! += pnormFast(offset + v[i]!);
}

/** addTo of the fit f = yw − R without storing f: out += f (offset NaN) or out += Φ(offset + f). */
function addFit(out: Float64Array, yw: Float64Array, R: Float64Array, offset: number): void {
  const n = out.length;
  if (Number.isNaN(offset)) for (let i = 0; i < n; i++) out[i]! += yw[i]! - R[i]!;
  else for (let i = 0; i < n; i++) out[i]! += pnormFast(offset + (yw[i]! - R[i]!));
}

/**
 * Albert–Chib step: with f = yw − res, draw z_i ~ N(offset + f_i, 1) truncated to z > 0 (y = 1) or z < 0
 * (y = 0); the new working response is yw = z − offset = f + e and the residual res = e.
 */
function drawLatent(rng: ZigguratNormal, n: number, y: Float64Array, res: Float64Array, offset: number, yw: Float64Array): void {
  for (let i = 0; i < n; i++) {
    const fi = yw[i]! - res[i]!;
    const m = offset + fi;
    const e = y[i]! === 1 ? rtruncnormAbove(rng, -m) : -rtruncnormAbove(rng, m);
    yw[i] = fi + e;
    res[i] = e;
  }
}
