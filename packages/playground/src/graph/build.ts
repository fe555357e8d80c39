/**
 * Runs a parsed program with @tapegrad/core Scalars: every given value becomes a named leaf, every assignment
 * names the node it produced, and the last statement is the root whose tape the page draws.
 */
import { Scalar, scalar } from '@tapegrad/core';
import { type Expr, ParseError, type Statement, parseProgram, parseValues } from './expression.js';

/** A value during evaluation: a plain number until a named scalar takes part. */
type Value = number | Scalar;

export interface BuiltGraph {
  readonly root: Scalar;
  /** The leaves made from the given values, by name. */
  readonly leaves: ReadonlyMap<string, Scalar>;
  /** Every Scalar an op of the program produced, in the order the program computed them. */
  readonly trace: readonly Scalar[];
  /**
   * Runs the program again on other leaves (one per entry of `leaves`, in its order), e.g. jvp's: every Scalar its
   * ops produce, in the same order as `trace`.
   */
  readonly replay: (...leaves: Scalar[]) => Scalar[];
}

function asScalar(v: Value): Scalar {
  return typeof v === 'number' ? scalar(v, { requiresGrad: false }) : v;
}

function binary(op: '+' | '-' | '*' | '/' | '^', a: Value, b: Value): Value {
  if (typeof a === 'number' && typeof b === 'number') {
    switch (op) {
      case '+':
        return a + b;
      case '-':
        return a - b;
      case '*':
        return a * b;
      case '/':
        return a / b;
      case '^':
        return a ** b;
    }
  }
  const left = asScalar(a);
  switch (op) {
    case '+':
      return left.add(b);
    case '-':
      return left.sub(b);
    case '*':
      return left.mul(b);
    case '/':
      return left.div(b);
    case '^':
      return left.pow(b);
  }
}

class Evaluator {
  readonly scope = new Map<string, Value>();
  /** Every Scalar an op produced, in order (see BuiltGraph.trace). */
  readonly trace: Scalar[] = [];
  private readonly versions = new Map<string, number>();

  constructor(
    private readonly source: string,
    readonly leaves: ReadonlyMap<string, Scalar>,
  ) {
    for (const [name, leaf] of leaves) this.scope.set(name, leaf);
  }

  /** The value of `e`, each Scalar an op made recorded in the trace. */
  eval(e: Expr): Value {
    const v = this.compute(e);
    if (v instanceof Scalar && e.kind !== 'number' && e.kind !== 'variable') this.trace.push(v);
    return v;
  }

  private compute(e: Expr): Value {
    switch (e.kind) {
      case 'number':
        return e.value;
      case 'variable': {
        const v = this.scope.get(e.name);
        if (v === undefined) {
          throw new ParseError(`unknown variable '${e.name}': give it a value (${e.name}=...) or assign it before use`, this.source, e.at);
        }
        return v;
      }
      case 'neg': {
        const v = this.eval(e.operand);
        return typeof v === 'number' ? -v : v.neg();
      }
      case 'binary':
        return binary(e.op, this.eval(e.left), this.eval(e.right));
      case 'call':
        return asScalar(this.eval(e.arg))[e.fn]();
    }
  }

  /** Names the node a statement made: `c`, then `c'`, `c''` when c is reassigned (as in micrograd's `c += ...`). */
  assign(target: string, v: Value): void {
    if (v instanceof Scalar && v.creator !== null && v.name === undefined) {
      const version = this.versions.get(target) ?? (this.leaves.has(target) ? 1 : 0);
      this.versions.set(target, version + 1);
      v.name = target + "'".repeat(version);
    }
    this.scope.set(target, v);
  }
}

/**
 * Builds the graph of `program` with the variables in `values` (`a=2, b=-3`) as named Scalar leaves.
 * Throws a ParseError for input that does not parse, an unknown variable, or a program with nothing to differentiate.
 * @example
 * const { root, leaves } = buildGraph('a*b + tanh(c)', 'a=2, b=-3, c=0.5');
 * root.backward(); leaves.get('a')!.grad;   // -3
 */
export function buildGraph(program: string, values: string): BuiltGraph {
  const parsedValues = parseValues(values);
  const statements: Statement[] = parseProgram(program);
  const leaves = new Map([...parsedValues].map(([name, v]) => [name, scalar(v, { name })]));
  const evaluator = new Evaluator(program, leaves);
  const last = run(evaluator, statements);
  if (typeof last === 'number' || last.creator === null) {
    throw new ParseError(
      'the result does not depend on any variable through an op, so there is no tape to draw: use a variable with a value, e.g. a*b with a=2, b=3',
      program,
      program.length,
    );
  }
  // A bare final expression gets a name, so the steps read "d out/d a" rather than a display id.
  if (last.name === undefined) last.name = 'out';
  const names = [...leaves.keys()];
  const replay = (...others: Scalar[]): Scalar[] => {
    const again = new Evaluator(program, new Map(names.map((name, i) => [name, others[i]])));
    run(again, statements);
    return again.trace;
  };
  return { root: last, leaves, trace: evaluator.trace, replay };
}

/** Runs the statements in order: the last one's value. */
function run(evaluator: Evaluator, statements: readonly Statement[]): Value {
  let last: Value = 0;
  for (const s of statements) {
    last = evaluator.eval(s.expr);
    if (s.target !== null) evaluator.assign(s.target, last);
  }
  return last;
}
