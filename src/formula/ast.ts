/** The parsed form of a fixest-style formula `y ~ x1 + x2 + x1:x2 + i(rel, ref = -1) | fe1 + fe1^fe2 + fe[x]`. */

/**
 * An inline transform as fixest users write it: `log(x)`, `exp(x)`, `sqrt(x)`, `I(a * b^2)`; inside a
 * function call `+ - * / ^` are arithmetic (R semantics: `^` binds tightest and right to left, then unary
 * minus, then `* /`, then `+ -`).
 */
export type Expr =
  | { op: "col"; name: string }
  | { op: "num"; value: number; text: string }
  | { op: "neg"; arg: Expr }
  | { op: "call"; fn: TransformFn; arg: Expr }
  | { op: "paren"; arg: Expr }
  | { op: "+" | "-" | "*" | "/" | "^"; left: Expr; right: Expr };

/** The functions a formula may call on columns. */
export const TRANSFORM_FUNCTIONS = ["log", "exp", "sqrt", "I"] as const;
export type TransformFn = (typeof TRANSFORM_FUNCTIONS)[number];

/** A plain column, an i() factor expansion (optionally interacted with a continuous variable), or a transform. */
export type FormulaFactor =
  | { kind: "var"; name: string; pos: number }
  | { kind: "i"; var: string; by: string | null; ref: (number | string)[]; keep: (number | string)[] | null; pos: number }
  | { kind: "expr"; expr: Expr; label: string; pos: number };

/** A product of factors (`x1:x2`); one factor for a main effect. */
export interface FormulaTerm {
  factors: FormulaFactor[];
  pos: number;
}

/** A fixed effect: one or more columns combined with `^`, with optional varying slopes `[x]` / `[[x]]`. */
export interface FixedEffectTerm {
  vars: string[];
  slopes: string[];
  /** `fe[[x]]`: slopes without the fixed effect itself */
  slopesOnly: boolean;
  pos: number;
}

export interface Formula {
  text: string;
  lhs: string;
  terms: FormulaTerm[];
  /** false with `- 1` or `+ 0` (only meaningful without fixed effects) */
  intercept: boolean;
  fixedEffects: FixedEffectTerm[];
}

/** Display name of a term as fixest prints it (`x1:x2`). */
export function termLabel(t: FormulaTerm): string {
  return t.factors.map(factorLabel).join(":");
}

/** Display name of one factor: the column, `i(var, x)`, or a transform as R deparses it (`log(x)`, `I(a * b^2)`). */
export function factorLabel(f: FormulaFactor): string {
  return f.kind === "var" ? f.name : f.kind === "expr" ? f.label : `i(${f.var}${f.by ? ", " + f.by : ""})`;
}

/** R's name for a column inside an expression (backticks when it is not a syntactic name). */
function rName(name: string): string {
  return /^([A-Za-z]|[.](?![0-9]))[A-Za-z0-9_.]*$/.test(name) ? name : "`" + name + "`";
}

/**
 * The text R's deparse() gives an expression, which is the coefficient name fixest prints: spaces around
 * binary `+ - *`, none around `/ ^`, unary minus glued (`-x`), parentheses as written.
 */
export function deparseExpr(e: Expr): string {
  switch (e.op) {
    case "col":
      return rName(e.name);
    case "num":
      return e.text;
    case "neg":
      return "-" + deparseExpr(e.arg);
    case "call":
      return `${e.fn}(${deparseExpr(e.arg)})`;
    case "paren":
      return `(${deparseExpr(e.arg)})`;
    case "/":
    case "^":
      return deparseExpr(e.left) + e.op + deparseExpr(e.right);
    default:
      return `${deparseExpr(e.left)} ${e.op} ${deparseExpr(e.right)}`;
  }
}

/** The columns an expression reads. */
export function exprColumns(e: Expr, out: Set<string> = new Set()): Set<string> {
  if (e.op === "col") out.add(e.name);
  else if (e.op === "neg" || e.op === "call" || e.op === "paren") exprColumns(e.arg, out);
  else if (e.op !== "num") {
    exprColumns(e.left, out);
    exprColumns(e.right, out);
  }
  return out;
}

/** Every transform factor of a formula (in term order, each label once). */
export function formulaTransforms(f: Formula): Extract<FormulaFactor, { kind: "expr" }>[] {
  const seen = new Set<string>();
  const out: Extract<FormulaFactor, { kind: "expr" }>[] = [];
  for (const t of f.terms)
    for (const x of t.factors)
      if (x.kind === "expr" && !seen.has(x.label)) {
        seen.add(x.label);
        out.push(x);
      }
  return out;
}

/** Display name of a fixed effect (`fe1^fe2`, `fe[x]`). */
export function fixedEffectLabel(f: FixedEffectTerm): string {
  const base = f.vars.join("^");
  if (f.slopes.length === 0) return base;
  return f.slopesOnly ? `${base}[[${f.slopes.join(", ")}]]` : `${base}[${f.slopes.join(", ")}]`;
}

/** Every column a formula reads, with the type it needs: numbers for values, any type for factors. */
export function formulaColumns(f: Formula): { numeric: string[]; factor: string[] } {
  const numeric = new Set<string>([f.lhs]);
  const factor = new Set<string>();
  for (const t of f.terms) {
    for (const x of t.factors) {
      if (x.kind === "var") numeric.add(x.name);
      else if (x.kind === "expr") for (const c of exprColumns(x.expr)) numeric.add(c);
      else {
        factor.add(x.var);
        if (x.by) numeric.add(x.by);
      }
    }
  }
  for (const fe of f.fixedEffects) {
    for (const v of fe.vars) factor.add(v);
    for (const s of fe.slopes) numeric.add(s);
  }
  for (const v of numeric) factor.delete(v);
  return { numeric: [...numeric], factor: [...factor] };
}
