/** The parsed form of a fixest-style formula `y ~ x1 + x2 + x1:x2 + i(rel, ref = -1) | fe1 + fe1^fe2 + fe[x]`. */

/** A plain column, or an i() factor expansion (optionally interacted with a continuous variable). */
export type FormulaFactor =
  | { kind: "var"; name: string; pos: number }
  | { kind: "i"; var: string; by: string | null; ref: (number | string)[]; keep: (number | string)[] | null; pos: number };

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
  return t.factors.map((f) => (f.kind === "var" ? f.name : `i(${f.var}${f.by ? ", " + f.by : ""})`)).join(":");
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
