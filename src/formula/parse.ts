/**
 * Parser for fixest-style formulas:
 *   formula := outcome '~' rhs ['|' fixed-effects]
 *   rhs     := term (('+' | '-') term)*        term := factor ((':' | '*') factor)*   ('0'/'1' toggle the intercept)
 *   factor  := name | i '(' name [',' name] [',' ref '=' values] [',' keep '=' values] ')' | fn '(' expr ')'
 *   fn      := log | exp | sqrt | I        (inline transforms; inside the call + - * / ^ are arithmetic)
 *   expr    := prod (('+' | '-') prod)*    prod := unary (('*' | '/') unary)*
 *   unary   := '-' unary | power            power := atom ['^' unary]      (R: -x^2 = -(x^2), 2^3^2 = 2^9)
 *   atom    := number | name | fn '(' expr ')' | '(' expr ')'
 *   fe      := name ('^' name)* ['[' names ']' | '[[' names ']]']
 * Names follow R (letters, digits, '.', '_'; backticks for anything else). `a*b` expands to a + b + a:b.
 * Errors are usage errors that print the formula with a caret under the offending character.
 */
import { printable, usageError, type KeytechError } from "../core/errors.js";
import {
  deparseExpr,
  TRANSFORM_FUNCTIONS,
  type Expr,
  type FixedEffectTerm,
  type Formula,
  type FormulaFactor,
  type FormulaTerm,
  type TransformFn,
} from "./ast.js";

type TokKind = "name" | "num" | "str" | "sym" | "end";
interface Tok {
  kind: TokKind;
  text: string;
  value?: number;
  pos: number;
  /** true for a backtick-quoted name */
  quoted?: boolean;
}

/** A parse error: message, the formula, and a caret under position `pos` (0-based). */
export function formulaError(text: string, pos: number, what: string): KeytechError {
  // control bytes are shown escaped, so the caret counts the escaped prefix
  return usageError(`bad formula: ${printable(what)}\n  ${printable(text)}\n  ${" ".repeat(Math.max(0, printable(text.slice(0, Math.max(0, pos))).length))}^`);
}

function tokenize(text: string): Tok[] {
  const toks: Tok[] = [];
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text[i]!;
    if (c === " " || c === "\t" || c === "\n" || c === "\r") {
      i++;
      continue;
    }
    const start = i;
    if (c === "`") {
      const j = text.indexOf("`", i + 1);
      if (j < 0) throw formulaError(text, i, "unterminated backtick name");
      if (j === i + 1) throw formulaError(text, i, "empty backtick name");
      toks.push({ kind: "name", text: text.slice(i + 1, j), pos: start, quoted: true });
      i = j + 1;
      continue;
    }
    if (c === '"' || c === "'") {
      const j = text.indexOf(c, i + 1);
      if (j < 0) throw formulaError(text, i, "unterminated string");
      toks.push({ kind: "str", text: text.slice(i + 1, j), pos: start });
      i = j + 1;
      continue;
    }
    if (/[0-9]/.test(c) || (c === "." && /[0-9]/.test(text[i + 1] ?? ""))) {
      const m = /^(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?/.exec(text.slice(i))!;
      toks.push({ kind: "num", text: m[0], value: Number(m[0]), pos: start });
      i += m[0].length;
      if (i < n && /[A-Za-z_.]/.test(text[i]!))
        throw formulaError(text, start, `a name cannot start with a digit ('${m[0]}${text[i]}…'); quote it with backticks`);
      continue;
    }
    if (/[A-Za-z_.]/.test(c)) {
      const m = /^[A-Za-z_.][A-Za-z0-9_.]*/.exec(text.slice(i))!;
      if (m[0] === ".") throw formulaError(text, start, "'.' (all other columns) is not supported: list the regressors");
      toks.push({ kind: "name", text: m[0], pos: start });
      i += m[0].length;
      continue;
    }
    if ("~+-:*/|^[](),=".includes(c)) {
      toks.push({ kind: "sym", text: c, pos: start });
      i++;
      continue;
    }
    throw formulaError(text, i, `unexpected character '${c}'`);
  }
  toks.push({ kind: "end", text: "", pos: n });
  return toks;
}

class Parser {
  private k = 0;
  constructor(
    private readonly text: string,
    private readonly toks: Tok[],
  ) {}

  private peek(): Tok {
    return this.toks[this.k]!;
  }
  private next(): Tok {
    return this.toks[this.k++]!;
  }
  private isSym(s: string): boolean {
    const t = this.peek();
    return t.kind === "sym" && t.text === s;
  }
  private err(t: Tok, what: string): KeytechError {
    return formulaError(this.text, t.pos, what);
  }
  private describe(t: Tok): string {
    return t.kind === "end" ? "the end of the formula" : `'${t.kind === "str" ? t.text : this.text.slice(t.pos, t.pos + Math.max(1, t.text.length))}'`;
  }
  private expectSym(s: string, what: string): Tok {
    const t = this.peek();
    if (t.kind !== "sym" || t.text !== s) throw this.err(t, `${what}, found ${this.describe(t)}`);
    return this.next();
  }
  private name(what: string): Tok {
    const t = this.peek();
    if (t.kind !== "name") throw this.err(t, `${what}, found ${this.describe(t)}`);
    return this.next();
  }

  parse(): Formula {
    if (this.peek().kind === "end") throw formulaError(this.text, 0, "the formula is empty; write it as y ~ x1 + x2 | fe1 + fe2");
    if (this.isSym("~")) throw this.err(this.peek(), "the outcome is missing before '~'");
    const lhsTok = this.name("expected the outcome column");
    if (!this.isSym("~")) {
      const t = this.peek();
      if (t.kind === "end") throw this.err(t, "expected '~' after the outcome");
      if (t.kind === "sym" && t.text === "(")
        throw this.err(lhsTok, `functions of the outcome ('${lhsTok.text}(…)') are not supported; add the transformed column to the data`);
      throw this.err(t, `the outcome must be one column name; expected '~', found ${this.describe(t)}`);
    }
    this.next();
    const { terms, intercept } = this.rhs();
    const fes: FixedEffectTerm[] = [];
    if (this.isSym("|")) {
      this.next();
      fes.push(...this.fixedEffects());
    }
    const t = this.peek();
    if (t.kind !== "end") {
      if (t.kind === "sym" && t.text === "|") throw this.err(t, "only one '|' is allowed (instrumental-variable parts are not supported)");
      if (t.kind === "sym" && t.text === ")") throw this.err(t, "unmatched ')'");
      throw this.err(t, `expected '+' or the end of the formula, found ${this.describe(t)}`);
    }
    const seen = new Map<string, number>();
    for (const term of terms) {
      const key = term.factors
        .map((f) => (f.kind === "var" ? f.name : f.kind === "expr" ? `expr:${f.label}` : `i(${f.var},${f.by ?? ""})`))
        .sort()
        .join(":");
      if (seen.has(key)) throw formulaError(this.text, term.pos, "this term appears twice");
      seen.set(key, term.pos);
    }
    const seenFe = new Set<string>();
    for (const fe of fes) {
      const key = fe.vars.join("^") + "[" + fe.slopes.join(",") + "]" + fe.slopesOnly;
      if (seenFe.has(key)) throw formulaError(this.text, fe.pos, "this fixed effect appears twice");
      seenFe.add(key);
    }
    return { text: this.text, lhs: lhsTok.text, terms, intercept, fixedEffects: fes };
  }

  private rhs(): { terms: FormulaTerm[]; intercept: boolean } {
    const terms: FormulaTerm[] = [];
    let intercept = true;
    let sign = 1;
    let first = true;
    for (;;) {
      const t = this.peek();
      if (t.kind === "end" || (t.kind === "sym" && t.text === "|")) {
        if (first) throw this.err(t, "expected at least one regressor after '~' (use 1 for none)");
        throw this.err(t, `expected a term after '${sign < 0 ? "-" : "+"}'`);
      }
      if (t.kind === "num") {
        this.next();
        if (t.value === 0) intercept = false;
        else if (t.value === 1) intercept = sign > 0;
        else throw this.err(t, `a number (${t.text}) cannot be a regressor; only 0 or 1 (the intercept)`);
      } else {
        if (sign < 0) throw this.err(t, "removing terms with '-' is only supported for the intercept ('- 1')");
        terms.push(...this.term());
      }
      first = false;
      const s = this.peek();
      if (s.kind === "sym" && (s.text === "+" || s.text === "-")) {
        this.next();
        sign = s.text === "+" ? 1 : -1;
        continue;
      }
      break;
    }
    return { terms, intercept };
  }

  /** factor (':' factor)*, with a*b expanded to a + b + a:b. */
  private term(): FormulaTerm[] {
    const pos = this.peek().pos;
    let groups: FormulaFactor[][] = [[this.factor()]];
    for (;;) {
      if (this.isSym(":")) {
        this.next();
        const f = this.factor();
        groups = groups.map((g) => [...g, f]);
        continue;
      }
      if (this.isSym("*")) {
        this.next();
        const f = this.factor();
        groups = [...groups, [f], ...groups.map((g) => [...g, f])];
        continue;
      }
      if (this.isSym("^")) throw this.err(this.peek(), "'^' combines fixed effects; it can only be used after '|'");
      break;
    }
    return groups.map((factors) => ({ factors, pos }));
  }

  private factor(): FormulaFactor {
    const t = this.peek();
    if (t.kind === "sym" && t.text === "(") throw this.err(t, "parentheses are only used in function calls: i(…), log(…), exp(…), sqrt(…), I(…)");
    if (t.kind === "sym" && t.text === "^") throw this.err(t, "'^' combines fixed effects; it can only be used after '|'");
    const nameTok = this.name("expected a column name or i(…)");
    if (!this.isSym("(")) {
      if (this.isSym("[")) throw this.err(this.peek(), "varying slopes fe[x] belong after '|'");
      return { kind: "var", name: nameTok.text, pos: nameTok.pos };
    }
    if (!nameTok.quoted && isTransformFn(nameTok.text)) {
      const expr = this.call(nameTok);
      return { kind: "expr", expr, label: deparseExpr(expr), pos: nameTok.pos };
    }
    if (nameTok.text !== "i" || nameTok.quoted) {
      throw this.err(
        nameTok,
        `unknown function '${nameTok.text}()'; supported: log(), exp(), sqrt(), I() and i(var, ref = k) (add other transforms as columns of the data)`,
      );
    }
    const open = this.next();
    if (this.isSym(")")) throw this.err(this.peek(), "i() needs a variable: i(var, ref = k)");
    const v = this.name("expected the variable of i(var, …)");
    let by: string | null = null;
    let ref: (number | string)[] = [];
    let keep: (number | string)[] | null = null;
    let named = false;
    while (this.isSym(",")) {
      this.next();
      const a = this.peek();
      if (a.kind === "name" && this.toks[this.k + 1]?.kind === "sym" && this.toks[this.k + 1]!.text === "=") {
        this.next();
        this.next();
        named = true;
        if (a.text === "ref") ref = this.values();
        else if (a.text === "keep") keep = this.values();
        else throw this.err(a, `unknown argument '${a.text}' of i(); use i(var[, x], ref = k[, keep = c(…)])`);
      } else if (a.kind === "name" && by === null && !named) {
        by = this.next().text;
      } else {
        throw this.err(a, `expected 'ref = …', 'keep = …' or a second variable in i(), found ${this.describe(a)}`);
      }
    }
    if (!this.isSym(")")) {
      const t2 = this.peek();
      if (t2.kind === "end") throw this.err(open, "'(' is never closed; expected ')'");
      throw this.err(t2, `expected ',' or ')' in i(), found ${this.describe(t2)}`);
    }
    this.next();
    return { kind: "i", var: v.text, by, ref, keep, pos: nameTok.pos };
  }

  /** fn '(' expr ')' with the name token already read and '(' next. */
  call(nameTok: Tok): Expr {
    const open = this.next();
    if (this.isSym(")")) throw this.err(this.peek(), `${nameTok.text}() needs an argument, e.g. ${nameTok.text}(x)`);
    const arg = this.expr();
    if (!this.isSym(")")) {
      const t = this.peek();
      if (t.kind === "end") throw this.err(open, "'(' is never closed; expected ')'");
      if (t.kind === "sym" && t.text === ",") throw this.err(t, `${nameTok.text}() takes one argument`);
      throw this.err(t, `expected an operator or ')' in ${nameTok.text}(…), found ${this.describe(t)}`);
    }
    this.next();
    return { op: "call", fn: nameTok.text as TransformFn, arg };
  }

  /** Arithmetic inside a function call (see the grammar in the file comment). */
  expr(): Expr {
    let left = this.prod();
    while (this.isSym("+") || this.isSym("-")) {
      const op = this.next().text as "+" | "-";
      left = { op, left, right: this.prod() };
    }
    return left;
  }

  private prod(): Expr {
    let left = this.unary();
    while (this.isSym("*") || this.isSym("/")) {
      const op = this.next().text as "*" | "/";
      left = { op, left, right: this.unary() };
    }
    return left;
  }

  private unary(): Expr {
    if (this.isSym("-")) {
      this.next();
      return { op: "neg", arg: this.unary() };
    }
    const base = this.atom();
    if (this.isSym("^")) {
      this.next();
      return { op: "^", left: base, right: this.unary() };
    }
    return base;
  }

  private atom(): Expr {
    const t = this.peek();
    if (t.kind === "num") {
      this.next();
      return { op: "num", value: t.value!, text: rNumber(t.value!) };
    }
    if (t.kind === "sym" && t.text === "(") {
      const open = this.next();
      const arg = this.expr();
      if (!this.isSym(")")) {
        if (this.peek().kind === "end") throw this.err(open, "'(' is never closed; expected ')'");
        throw this.err(this.peek(), `expected an operator or ')', found ${this.describe(this.peek())}`);
      }
      this.next();
      return { op: "paren", arg };
    }
    if (t.kind === "name") {
      this.next();
      if (this.isSym("(")) {
        if (t.quoted || !isTransformFn(t.text)) throw this.err(t, `unknown function '${t.text}()'; supported inside a formula: log(), exp(), sqrt(), I()`);
        return this.call(t);
      }
      return { op: "col", name: t.text };
    }
    throw this.err(t, `expected a number, a column or '(' in the expression, found ${this.describe(t)}`);
  }

  /** The whole input is one expression (for `--offset`). */
  wholeExpr(): Expr {
    if (this.peek().kind === "end") throw formulaError(this.text, 0, "the expression is empty");
    const e = this.expr();
    if (this.peek().kind !== "end") throw this.err(this.peek(), `expected an operator or the end of the expression, found ${this.describe(this.peek())}`);
    return e;
  }

  /** value | c(value, …); value := [-]number | string */
  private values(): (number | string)[] {
    const t = this.peek();
    if (t.kind === "name" && t.text === "c" && this.toks[this.k + 1]?.text === "(") {
      this.next();
      const open = this.next();
      const out: (number | string)[] = [this.value()];
      while (this.isSym(",")) {
        this.next();
        out.push(this.value());
      }
      if (!this.isSym(")")) {
        if (this.peek().kind === "end") throw this.err(open, "'c(' is never closed; expected ')'");
        throw this.err(this.peek(), `expected ',' or ')' in c(…), found ${this.describe(this.peek())}`);
      }
      this.next();
      return out;
    }
    return [this.value()];
  }

  private value(): number | string {
    let neg = false;
    const t0 = this.peek();
    if (this.isSym("-")) {
      this.next();
      neg = true;
    }
    const t = this.peek();
    if (t.kind === "num") {
      this.next();
      return neg ? -t.value! : t.value!;
    }
    if (t.kind === "str" && !neg) {
      this.next();
      return t.text;
    }
    throw this.err(neg ? t : t0, `expected a number or a quoted value, found ${this.describe(t)}`);
  }

  private fixedEffects(): FixedEffectTerm[] {
    const out: FixedEffectTerm[] = [];
    for (;;) {
      const t = this.peek();
      if (t.kind === "end") throw this.err(t, "expected a fixed effect after '|'");
      if (t.kind === "num" && t.value === 0 && out.length === 0) {
        this.next();
        return out; // `| 0`: no fixed effects
      }
      if (t.kind === "name" && this.toks[this.k + 1]?.text === "(") throw this.err(t, "fixed effects must be column names (combine them with '^')");
      const first = this.name("expected a fixed-effect column");
      const vars = [first.text];
      while (this.isSym("^")) {
        this.next();
        vars.push(this.name("expected a column after '^'").text);
      }
      let slopes: string[] = [];
      let slopesOnly = false;
      if (this.isSym("[")) {
        const open = this.next();
        if (this.isSym("[")) {
          this.next();
          slopesOnly = true;
        }
        slopes = [this.name("expected a slope variable in fe[x]").text];
        while (this.isSym(",")) {
          this.next();
          slopes.push(this.name("expected a slope variable after ','").text);
        }
        for (let r = 0; r < (slopesOnly ? 2 : 1); r++) {
          if (!this.isSym("]")) {
            if (this.peek().kind === "end") throw this.err(open, `'${slopesOnly ? "[[" : "["}' is never closed; expected '${slopesOnly ? "]]" : "]"}'`);
            throw this.err(this.peek(), `expected ']', found ${this.describe(this.peek())}`);
          }
          this.next();
        }
      }
      out.push({ vars, slopes, slopesOnly, pos: first.pos });
      const s = this.peek();
      if (s.kind === "sym" && s.text === "+") {
        this.next();
        continue;
      }
      if (s.kind === "sym" && s.text === ":") throw this.err(s, "interact fixed effects with '^', not ':'");
      break;
    }
    return out;
  }
}

function isTransformFn(name: string): boolean {
  return (TRANSFORM_FUNCTIONS as readonly string[]).includes(name);
}

/** A number as R's deparse prints it (15 significant digits; two-digit exponents: `0.5`, `2`, `1e-04`). */
function rNumber(v: number): string {
  const s = Number(v.toPrecision(15)).toString();
  const m = /^(.*)e([+-])(\d)$/.exec(s);
  return m ? `${m[1]}e${m[2]}0${m[3]}` : s;
}

/**
 * Parse one arithmetic expression over columns (the grammar's `expr`: e.g. `log(population)` or `I(a / b)`),
 * as `--offset` takes it; returns the expression and its R label. Errors point at the character.
 */
export function parseExpression(text: string): { expr: Expr; label: string } {
  const expr = new Parser(text, tokenize(text)).wholeExpr();
  return { expr, label: deparseExpr(expr) };
}

/** Parse a fixest-style formula (see the grammar above); throws a usage error pointing at the character. */
export function parseFormula(text: string): Formula {
  const toks = tokenize(text);
  return new Parser(text, toks).parse();
}
