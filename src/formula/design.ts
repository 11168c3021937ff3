/**
 * Model matrix for a parsed formula on a table: the outcome, the regressor columns (main effects,
 * products `a:b`, i() dummies named as fixest names them: `rel::-4`, `year::2004:lpop`) and the fixed
 * effects as integer codes (fixest's factor coding; `a^b` gives one level per observed pair).
 * The result has the shape of the estimators' `FeolsInput` (structurally; the formula layer sits below
 * the estimators).
 */
import { combineFactors, factorize, levelLabel, type Factor } from "../data/factor.js";
import { fileRow, getColumn, numeric, type Table } from "../data/table.js";
import { inputError, printable, usageError } from "../core/errors.js";
import { exprColumns, fixedEffectLabel, formulaTransforms, termLabel, type Expr, type Formula, type FormulaFactor } from "./ast.js";

export interface DesignColumn {
  name: string;
  values: Float64Array;
}

export interface DesignFixedEffect {
  name: string;
  codes: Int32Array;
  nLevels: number;
  slopes?: DesignColumn[];
  slopesOnly?: boolean;
}

export interface Design {
  y: Float64Array;
  yName: string;
  x: DesignColumn[];
  fixedEffects: DesignFixedEffect[];
  weights?: Float64Array;
  intercept?: boolean;
}

/** R's label for an i() level value given as ref/keep (numbers as R prints them). */
function matches(level: string, values: (number | string)[]): boolean {
  return values.some((v) => String(v) === level);
}

/** The dummy columns of i(var[, by], ref, keep): one per observed level not in ref (and in keep). */
export function iDummies(t: Table, f: Extract<FormulaFactor, { kind: "i" }>): DesignColumn[] {
  const fac = factorize(getColumn(t, f.var));
  const by = f.by ? numeric(t, f.by) : null;
  const n = t.nrows;
  const cols: DesignColumn[] = [];
  const index = new Int32Array(fac.nLevels).fill(-1);
  const labels = Array.from({ length: fac.nLevels }, (_, k) => levelLabel(fac, k));
  const shown = (): string => labels.slice(0, 12).map(printable).join(", ") + (labels.length > 12 ? `, … (${labels.length} values)` : "");
  const loc = { file: t.file, column: getColumn(t, f.var).source };
  // fixest refuses a reference or keep value that is not a value of the variable (a typo would otherwise drop nothing)
  for (const r of f.ref)
    if (!labels.includes(String(r)))
      throw inputError(
        `i(${printable(f.var)}, ref = ${printable(String(r))}): ${printable(String(r))} is not a value of '${printable(f.var)}' (its values: ${shown()}); give a reference value that occurs in the data`,
        loc,
      );
  if (f.keep && !labels.some((l) => matches(l, f.keep!)))
    throw inputError(
      `i(${printable(f.var)}, keep = ${f.keep.map((v) => printable(String(v))).join(", ")}): matches no value of '${printable(f.var)}' (its values: ${shown()}); keep values that occur in the data`,
      loc,
    );
  for (let k = 0; k < fac.nLevels; k++) {
    const lab = levelLabel(fac, k);
    if (matches(lab, f.ref)) continue;
    if (f.keep && !matches(lab, f.keep)) continue;
    index[k] = cols.length;
    cols.push({ name: `${f.var}::${lab}${f.by ? ":" + f.by : ""}`, values: new Float64Array(n) });
  }
  for (let i = 0; i < n; i++) {
    const c = fac.codes[i]!;
    if (c < 0) continue;
    const j = index[c]!;
    if (j >= 0) cols[j]!.values[i] = by ? by[i]! : 1;
  }
  return cols;
}

/**
 * Values of an inline transform on every row, with R's arithmetic (IEEE doubles: log(0) = −Inf, log(−1) = NaN,
 * x/0 = ±Inf; `^` is Math.pow, as R's R_pow for finite arguments).
 */
export function evalExpr(e: Expr, t: Table): Float64Array {
  const n = t.nrows;
  switch (e.op) {
    case "col":
      return numeric(t, e.name);
    case "num":
      return new Float64Array(n).fill(e.value);
    case "paren":
      return evalExpr(e.arg, t);
    case "neg": {
      const a = evalExpr(e.arg, t),
        out = new Float64Array(n);
      for (let i = 0; i < n; i++) out[i] = -a[i]!;
      return out;
    }
    case "call": {
      const a = evalExpr(e.arg, t);
      if (e.fn === "I") return a;
      const out = new Float64Array(n);
      const f = e.fn === "log" ? Math.log : e.fn === "exp" ? Math.exp : Math.sqrt;
      for (let i = 0; i < n; i++) out[i] = f(a[i]!);
      return out;
    }
    default: {
      const a = evalExpr(e.left, t),
        b = evalExpr(e.right, t),
        out = new Float64Array(n);
      if (e.op === "+") for (let i = 0; i < n; i++) out[i] = a[i]! + b[i]!;
      else if (e.op === "-") for (let i = 0; i < n; i++) out[i] = a[i]! - b[i]!;
      else if (e.op === "*") for (let i = 0; i < n; i++) out[i] = a[i]! * b[i]!;
      else if (e.op === "/") for (let i = 0; i < n; i++) out[i] = a[i]! / b[i]!;
      else for (let i = 0; i < n; i++) out[i] = Math.pow(a[i]!, b[i]!);
      return out;
    }
  }
}

/** Rows where some transform is not finite (fixest drops them as NA/infinite values), with a count per transform. */
export interface TransformDrop {
  /** rows to keep (ascending), or null when every transform is finite everywhere */
  keep: Int32Array | null;
  dropped: number;
  /** per transform label: rows where it is not finite (a row can count under several labels) */
  byTerm: Record<string, number>;
  /** whether some value was NaN / ±Inf (fixest's note says "NA values", "infinite values" or both) */
  anyNaN: boolean;
  anyInf: boolean;
}

/**
 * Evaluate every transform of the formula (and the `extra` expressions, e.g. an offset) and list the rows where
 * one is NaN or ±Inf. fixest removes such rows with the note "N observations removed because of NA and
 * infinite values"; callers drop them (selectRows) and count them as missing before `buildDesign`.
 */
export function transformRows(f: Formula, t: Table, extra: { expr: Expr; label: string }[] = []): TransformDrop {
  const n = t.nrows;
  const bad = new Uint8Array(n);
  const byTerm: Record<string, number> = {};
  let anyNaN = false,
    anyInf = false;
  for (const x of [...formulaTransforms(f), ...extra]) {
    const v = evalExpr(x.expr, t);
    let c = 0;
    for (let i = 0; i < n; i++)
      if (!Number.isFinite(v[i]!)) {
        bad[i] = 1;
        c++;
        if (Number.isNaN(v[i]!)) anyNaN = true;
        else anyInf = true;
      }
    if (c) byTerm[x.label] = (byTerm[x.label] ?? 0) + c;
  }
  let dropped = 0;
  for (let i = 0; i < n; i++) dropped += bad[i]!;
  if (dropped === 0) return { keep: null, dropped: 0, byTerm, anyNaN, anyInf };
  const keep = new Int32Array(n - dropped);
  for (let i = 0, m = 0; i < n; i++) if (!bad[i]) keep[m++] = i;
  return { keep, dropped, byTerm, anyNaN, anyInf };
}

/** A transform column; a non-finite value is refused naming the file row (drop such rows with transformRows). */
function transformColumn(t: Table, f: Extract<FormulaFactor, { kind: "expr" }>): DesignColumn {
  const values = evalExpr(f.expr, t);
  for (let i = 0; i < values.length; i++)
    if (!Number.isFinite(values[i]!))
      throw inputError(
        `${f.label} is ${Number.isNaN(values[i]!) ? "NaN" : values[i]! > 0 ? "+Inf" : "-Inf"} here (e.g. log of 0 or of a negative number); fixest drops such rows: remove them from the data (keytech fepois drops and counts them)`,
        {
          file: t.file,
          row: fileRow(t, i),
          column: f.label,
        },
      );
  return { name: f.label, values };
}

function factorColumns(t: Table, f: FormulaFactor): DesignColumn[] {
  if (f.kind === "var") return [{ name: f.name, values: numeric(t, f.name) }];
  if (f.kind === "expr") return [transformColumn(t, f)];
  return iDummies(t, f);
}

/** Fixed effect codes for `a^b^…` (levels of the observed combinations). */
export function fixedEffectFactor(t: Table, vars: string[]): Factor {
  let f = factorize(getColumn(t, vars[0]!));
  for (const v of vars.slice(1)) f = combineFactors(f, factorize(getColumn(t, v)));
  return f;
}

/**
 * Build the model matrix. The table must hold every column of `formulaColumns(f)` (numeric where a
 * number is needed) with missing rows already dropped.
 */
export function buildDesign(f: Formula, t: Table, opts: { weights?: Float64Array } = {}): Design {
  const x: DesignColumn[] = [];
  for (const term of f.terms) {
    // a regressor that is, or is computed from, the outcome fits it by construction (R² = 1, SE 0): refused
    for (const fac of term.factors) {
      const uses = fac.kind === "var" ? fac.name === f.lhs : fac.kind === "expr" ? exprColumns(fac.expr).has(f.lhs) : fac.var === f.lhs || fac.by === f.lhs;
      if (uses)
        throw inputError(
          fac.kind === "var"
            ? `the regressor '${printable(fac.name)}' is also the dependent variable '${printable(f.lhs)}'; remove it from the right-hand side`
            : `the regressor '${printable(termLabel(term))}' is computed from the dependent variable '${printable(f.lhs)}', so it explains the outcome by construction; remove it from the right-hand side`,
          { file: t.file, column: getColumn(t, f.lhs).source },
        );
    }
    let cols: DesignColumn[] = [{ name: "", values: new Float64Array(0) }];
    let first = true;
    for (const fac of term.factors) {
      const fc = factorColumns(t, fac);
      if (first) cols = fc;
      else {
        const out: DesignColumn[] = [];
        for (const a of cols) {
          for (const b of fc) {
            const v = new Float64Array(t.nrows);
            for (let i = 0; i < t.nrows; i++) v[i] = a.values[i]! * b.values[i]!;
            out.push({ name: `${a.name}:${b.name}`, values: v });
          }
        }
        cols = out;
      }
      first = false;
    }
    x.push(...cols);
  }
  const names = new Set<string>();
  for (const c of x) {
    if (names.has(c.name)) throw usageError(`the regressor '${c.name}' appears twice in the formula`);
    names.add(c.name);
  }
  const fixedEffects: DesignFixedEffect[] = f.fixedEffects.map((fe) => {
    const fac = fixedEffectFactor(t, fe.vars);
    const d: DesignFixedEffect = { name: fe.slopes.length ? fixedEffectLabel(fe) : fe.vars.join("^"), codes: fac.codes, nLevels: fac.nLevels };
    if (fe.slopes.length) {
      d.slopes = fe.slopes.map((s) => ({ name: s, values: numeric(t, s) }));
      d.slopesOnly = fe.slopesOnly;
    }
    return d;
  });
  const design: Design = { y: numeric(t, f.lhs), yName: f.lhs, x, fixedEffects };
  if (opts.weights) design.weights = opts.weights;
  if (fixedEffects.length === 0) design.intercept = f.intercept;
  return design;
}
