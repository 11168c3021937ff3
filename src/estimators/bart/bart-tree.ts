/**
 * One regression tree of a BART ensemble, stored in growable typed arrays indexed by node id
 * (ids are reused after a prune). Internal node: split variable `v`, cut index `c` (left iff bin ≤ c).
 * Leaf: value `mu`. Leaf membership: the tree owns a permutation of the training rows (and one of the
 * test rows) in which every node's rows are contiguous — node k holds positions
 * [start[k], start[k] + len[k]) (test: [startT[k], startT[k] + nT[k])); a split partitions the
 * parent's block into its two children's blocks (left then right, or in grouped mode of bart.ts either
 * order), so a prune needs no data movement.
 */
export class BartTree {
  cap: number;
  v: Int32Array;
  c: Int32Array;
  left: Int32Array;
  right: Int32Array;
  parent: Int32Array;
  depth: Int32Array;
  isLeaf: Uint8Array;
  mu: Float64Array;
  /** Per-node accumulator (Σ of μ over kept draws while the node is a leaf; see bart.ts). */
  acc: Float64Array;
  /** Training observations in each node (the sum of the rows' frequency weights; = len without weights). */
  nobs: Float64Array;
  /** Training rows (positions) in each node's block of the permutation. */
  len: Int32Array;
  /** First position of the node's rows in the tree's training-row permutation. */
  start: Int32Array;
  /** First position and count of the node's rows in the tree's test-row permutation. */
  startT: Int32Array;
  nT: Int32Array;
  /** Number of predictors with a cut still available at the node (depends on its ancestors only; kept by bart.ts). */
  nav: Int32Array;
  /** Leaf label of the node's rows in bart.ts's per-tree row → label array (kept by bart.ts for leaves). */
  slot: Int32Array;
  private free: number[] = [];
  private stack: number[] = [];
  private used = 0;

  constructor(cap = 16) {
    this.cap = cap;
    this.v = new Int32Array(cap);
    this.c = new Int32Array(cap);
    this.left = new Int32Array(cap).fill(-1);
    this.right = new Int32Array(cap).fill(-1);
    this.parent = new Int32Array(cap).fill(-1);
    this.depth = new Int32Array(cap);
    this.isLeaf = new Uint8Array(cap);
    this.mu = new Float64Array(cap);
    this.acc = new Float64Array(cap);
    this.nobs = new Float64Array(cap);
    this.len = new Int32Array(cap);
    this.start = new Int32Array(cap);
    this.startT = new Int32Array(cap);
    this.nT = new Int32Array(cap);
    this.nav = new Int32Array(cap);
    this.slot = new Int32Array(cap);
    // node 0 = root leaf
    this.used = 1;
    this.isLeaf[0] = 1;
  }

  private grow(): void {
    const cap = this.cap * 2;
    const g = <T extends Int32Array | Uint8Array | Float64Array>(a: T, fill = 0): T => {
      const b = new (a.constructor as { new (n: number): T })(cap);
      b.set(a);
      if (fill !== 0) b.fill(fill as never, this.cap);
      return b;
    };
    this.v = g(this.v);
    this.c = g(this.c);
    this.left = g(this.left, -1);
    this.right = g(this.right, -1);
    this.parent = g(this.parent, -1);
    this.depth = g(this.depth);
    this.isLeaf = g(this.isLeaf);
    this.mu = g(this.mu);
    this.acc = g(this.acc);
    this.nobs = g(this.nobs);
    this.len = g(this.len);
    this.start = g(this.start);
    this.startT = g(this.startT);
    this.nT = g(this.nT);
    this.nav = g(this.nav);
    this.slot = g(this.slot);
    this.cap = cap;
  }

  private alloc(): number {
    if (this.free.length) return this.free.pop()!;
    if (this.used >= this.cap) this.grow();
    return this.used++;
  }

  /** Split leaf `node` on (v, c); the children are `left[node]` and `right[node]`. */
  split(node: number, v: number, c: number): void {
    const l = this.alloc();
    const r = this.alloc();
    this.v[node] = v;
    this.c[node] = c;
    this.isLeaf[node] = 0;
    this.left[node] = l;
    this.right[node] = r;
    this.initChild(l, node);
    this.initChild(r, node);
  }

  private initChild(k: number, node: number): void {
    this.parent[k] = node;
    this.depth[k] = this.depth[node]! + 1;
    this.isLeaf[k] = 1;
    this.left[k] = -1;
    this.right[k] = -1;
  }

  /** Collapse the two leaf children of `node` back into a leaf. */
  collapse(node: number): void {
    const l = this.left[node]!,
      r = this.right[node]!;
    this.free.push(r, l);
    this.isLeaf[l] = 0;
    this.isLeaf[r] = 0;
    this.parent[l] = -1;
    this.parent[r] = -1;
    this.left[node] = -1;
    this.right[node] = -1;
    this.isLeaf[node] = 1;
  }

  /** Leaves and "nogs" (internal nodes whose two children are leaves), by a walk from the root. */
  leavesAndNogs(leaves: number[], nogs: number[]): void {
    leaves.length = 0;
    nogs.length = 0;
    const stack = this.stack;
    stack.length = 0;
    stack.push(0);
    while (stack.length) {
      const k = stack.pop()!;
      if (this.isLeaf[k]) {
        leaves.push(k);
        continue;
      }
      const l = this.left[k]!,
        r = this.right[k]!;
      if (this.isLeaf[l] && this.isLeaf[r]) nogs.push(k);
      stack.push(r, l);
    }
  }

  /** Cut-index range [lo_v, hi_v] still available at `node` for each variable (ancestors' splits removed). */
  ranges(node: number, ncut: Int32Array, lo: Int32Array, hi: Int32Array): void {
    const p = ncut.length;
    for (let v = 0; v < p; v++) {
      lo[v] = 0;
      hi[v] = ncut[v]! - 1;
    }
    let child = node;
    let par = this.parent[child]!;
    while (par >= 0) {
      const v = this.v[par]!,
        c = this.c[par]!;
      if (this.left[par] === child) {
        if (c - 1 < hi[v]!) hi[v] = c - 1;
      } else if (c + 1 > lo[v]!) lo[v] = c + 1;
      child = par;
      par = this.parent[child]!;
    }
  }

  /** Leaf reached by an observation given its bins (column-major bins[v][i]). */
  route(bins: Uint16Array[], i: number): number {
    let k = 0;
    while (!this.isLeaf[k]) k = bins[this.v[k]!]![i]! <= this.c[k]! ? this.left[k]! : this.right[k]!;
    return k;
  }

  /**
   * The tree in preorder as (variable, value) pairs: (v, cut value cuts[v][c]) for an internal node,
   * (−1, μ) for a leaf — independent of the row permutation and of the cut grid (see `decode`).
   */
  encode(cuts: Float64Array[]): Float64Array {
    const out: number[] = [];
    const walk = (k: number): void => {
      if (this.isLeaf[k]) {
        out.push(-1, this.mu[k]!);
        return;
      }
      out.push(this.v[k]!, cuts[this.v[k]!]![this.c[k]!]!);
      walk(this.left[k]!);
      walk(this.right[k]!);
    };
    walk(0);
    return Float64Array.from(out);
  }

  /**
   * Rebuild an encoded tree (this tree must be a fresh root leaf) on the cut grid `cuts`: each split's
   * cut value maps to the nearest cut index, clamped to the range its ancestors leave; a split whose
   * variable has no cut left at that node becomes a leaf (μ = 0; the sampler redraws every μ anyway).
   */
  decode(code: Float64Array, cuts: Float64Array[], ncut: Int32Array, lo: Int32Array, hi: Int32Array): void {
    const skip = (pos: number): number => (code[pos]! < 0 ? pos + 2 : skip(skip(pos + 2)));
    const build = (k: number, pos: number): number => {
      const v = code[pos]!;
      if (v < 0) {
        this.mu[k] = code[pos + 1]!;
        return pos + 2;
      }
      this.ranges(k, ncut, lo, hi);
      if (v >= ncut.length || hi[v]! < lo[v]!) {
        this.mu[k] = 0;
        return skip(pos);
      }
      const cv = code[pos + 1]!,
        cu = cuts[v]!;
      let a = 0,
        b = cu.length; // first index with cu[idx] ≥ cv
      while (a < b) {
        const mid = (a + b) >>> 1;
        if (cu[mid]! < cv) a = mid + 1;
        else b = mid;
      }
      let c = a < cu.length ? a : cu.length - 1;
      if (c > 0 && Math.abs(cu[c - 1]! - cv) <= Math.abs(cu[c]! - cv)) c--;
      c = Math.min(Math.max(c, lo[v]!), hi[v]!);
      this.split(k, v, c);
      const l = this.left[k]!,
        r = this.right[k]!;
      return build(r, build(l, pos + 2));
    };
    build(0, 0);
  }

  /** Number of nodes in use (for diagnostics). */
  size(): number {
    return this.used - this.free.length;
  }
}
