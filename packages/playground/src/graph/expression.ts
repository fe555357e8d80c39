/**
 * The playground's input language: a small program over named scalars, parsed by recursive descent (no eval).
 *
 *   program    := statement ((';' | newline) statement)*
 *   statement  := name ('=' | '+=') expr | expr
 *   expr       := term (('+' | '-') term)*
 *   term       := unary (('*' | '/') unary)*
 *   unary      := '-' unary | power
 *   power      := primary ('^' unary)?          (right-associative, so 2^-1 and a^b^c work)
 *   primary    := number | name | name '(' expr ')' | '(' expr ')'
 *
 * The last statement's value is the root the gradients are taken of.
 */
import { UNARY_OP_NAMES, type UnaryOpName } from '@tapegrad/core';

/** A function the language knows: an elementwise op of one operand of @tapegrad/core, by its Scalar method. */
export type FunctionName = Exclude<UnaryOpName, 'neg'>;
/** Every such op of @tapegrad/core (a new op there is a new function here), but neg, which is written -x. */
export const FUNCTIONS: readonly FunctionName[] = UNARY_OP_NAMES.filter((name): name is FunctionName => name !== 'neg');

export type Expr =
  | { readonly kind: 'number'; readonly value: number }
  | { readonly kind: 'variable'; readonly name: string; readonly at: number }
  | { readonly kind: 'neg'; readonly operand: Expr }
  | { readonly kind: 'binary'; readonly op: '+' | '-' | '*' | '/' | '^'; readonly left: Expr; readonly right: Expr }
  | { readonly kind: 'call'; readonly fn: FunctionName; readonly arg: Expr };

export interface Statement {
  /** The name assigned to, or null for a bare expression. */
  readonly target: string | null;
  readonly expr: Expr;
}

/** Input the language does not accept, with the position (0-based offset into the source) at fault. */
export class ParseError extends Error {
  constructor(
    message: string,
    readonly source: string,
    readonly at: number,
    readonly field: 'expression' | 'values' = 'expression',
  ) {
    super(message);
    this.name = 'ParseError';
  }

  /** Line and column (1-based) of the position at fault. */
  get location(): { line: number; column: number } {
    const before = this.source.slice(0, this.at).split('\n');
    return { line: before.length, column: before[before.length - 1].length + 1 };
  }
}

type TokenKind = 'number' | 'name' | 'op' | 'end';
interface Token {
  readonly kind: TokenKind;
  readonly text: string;
  readonly at: number;
}

const NUMBER = /^(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/;
const NAME = /^[A-Za-z_][A-Za-z0-9_]*/;
const OPERATORS = ['+=', '+', '-', '*', '/', '^', '(', ')', '=', ';', '\n', ','];

function tokenize(source: string, field: 'expression' | 'values'): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const ch = source[i];
    if (ch === ' ' || ch === '\t' || ch === '\r') {
      i++;
      continue;
    }
    if (ch === '#') {
      while (i < source.length && source[i] !== '\n') i++;
      continue;
    }
    const rest = source.slice(i);
    const num = NUMBER.exec(rest);
    if (num) {
      tokens.push({ kind: 'number', text: num[0], at: i });
      i += num[0].length;
      continue;
    }
    const name = NAME.exec(rest);
    if (name) {
      tokens.push({ kind: 'name', text: name[0], at: i });
      i += name[0].length;
      continue;
    }
    const op = OPERATORS.find((o) => rest.startsWith(o));
    if (op === undefined) throw new ParseError(`unexpected character '${ch}'`, source, i, field);
    tokens.push({ kind: 'op', text: op, at: i });
    i += op.length;
  }
  tokens.push({ kind: 'end', text: 'end of input', at: source.length });
  return tokens;
}

class Parser {
  private pos = 0;
  constructor(
    private readonly source: string,
    private readonly tokens: Token[],
  ) {}

  private get next(): Token {
    return this.tokens[this.pos];
  }
  private atEnd(): boolean {
    return this.next.kind === 'end';
  }
  private isOp(text: string): boolean {
    return this.next.kind === 'op' && this.next.text === text;
  }
  private fail(message: string, token = this.next): never {
    throw new ParseError(message, this.source, token.at);
  }
  private describe(t: Token): string {
    return t.kind === 'end' ? 'the end of the input' : t.text === '\n' ? 'a line break' : `'${t.text}'`;
  }

  private expectOp(text: string, context: string): void {
    if (!this.isOp(text)) this.fail(`expected '${text}' ${context}, found ${this.describe(this.next)}`);
    this.pos++;
  }

  private skipSeparators(): void {
    while (this.isOp(';') || this.isOp('\n')) this.pos++;
  }

  program(): Statement[] {
    const statements: Statement[] = [];
    this.skipSeparators();
    while (!this.atEnd()) {
      statements.push(this.statement());
      if (!this.atEnd() && !this.isOp(';') && !this.isOp('\n')) {
        this.fail(`expected an operator or the end of the statement, found ${this.describe(this.next)}`);
      }
      this.skipSeparators();
    }
    if (statements.length === 0) this.fail('the expression is empty');
    return statements;
  }

  private statement(): Statement {
    const after = this.tokens[this.pos + 1];
    if (this.next.kind === 'name' && after.kind === 'op' && (after.text === '=' || after.text === '+=')) {
      const target = this.next;
      this.pos += 2;
      const expr = this.expr();
      if (after.text === '=') return { target: target.text, expr };
      const current: Expr = { kind: 'variable', name: target.text, at: target.at };
      return { target: target.text, expr: { kind: 'binary', op: '+', left: current, right: expr } };
    }
    return { target: null, expr: this.expr() };
  }

  private expr(): Expr {
    return this.leftAssociative(['+', '-'], () => this.term());
  }

  private term(): Expr {
    return this.leftAssociative(['*', '/'], () => this.unary());
  }

  /** One precedence level of left-associative operators: operand (op operand)*. */
  private leftAssociative<Op extends '+' | '-' | '*' | '/'>(ops: readonly Op[], operand: () => Expr): Expr {
    let left = operand();
    while (ops.some((op) => this.isOp(op))) {
      const op = this.tokens[this.pos++].text as Op;
      left = { kind: 'binary', op, left, right: operand() };
    }
    return left;
  }

  private unary(): Expr {
    if (this.isOp('-')) {
      this.pos++;
      return { kind: 'neg', operand: this.unary() };
    }
    return this.power();
  }

  private power(): Expr {
    const base = this.primary();
    if (!this.isOp('^')) return base;
    this.pos++;
    return { kind: 'binary', op: '^', left: base, right: this.unary() };
  }

  private primary(): Expr {
    const t = this.next;
    if (t.kind === 'number') {
      this.pos++;
      return { kind: 'number', value: Number(t.text) };
    }
    if (t.kind === 'name') {
      this.pos++;
      if (!this.isOp('(')) return { kind: 'variable', name: t.text, at: t.at };
      if (!(FUNCTIONS as readonly string[]).includes(t.text)) {
        this.fail(`unknown function '${t.text}'; the functions are ${FUNCTIONS.join(', ')}`, t);
      }
      this.pos++;
      const arg = this.expr();
      this.expectOp(')', `to close ${t.text}(`);
      return { kind: 'call', fn: t.text as FunctionName, arg };
    }
    if (this.isOp('(')) {
      this.pos++;
      const inner = this.expr();
      this.expectOp(')', 'to close the parenthesis');
      return inner;
    }
    return this.fail(`expected a number, a name or '(', found ${this.describe(t)}`);
  }
}

/**
 * Parses a program of the playground language.
 * @example
 * parseProgram('a*b + tanh(c)');   // [{ target: null, expr: { kind: 'binary', op: '+', ... } }]
 */
export function parseProgram(source: string): Statement[] {
  return new Parser(source, tokenize(source, 'expression')).program();
}

/**
 * Parses variable values: `name = number` pairs separated by commas or line breaks (`a=2, b=-3, c=0.5`).
 * @example
 * parseValues('a=2, b=-3');   // Map { 'a' => 2, 'b' => -3 }
 */
export function parseValues(source: string): Map<string, number> {
  const values = new Map<string, number>();
  const tokens = tokenize(source, 'values');
  let pos = 0;
  const fail = (message: string): never => {
    throw new ParseError(message, source, tokens[pos].at, 'values');
  };
  const isSeparator = () => tokens[pos].kind === 'op' && [',', ';', '\n'].includes(tokens[pos].text);
  while (tokens[pos].kind !== 'end') {
    if (isSeparator()) {
      pos++;
      continue;
    }
    if (tokens[pos].kind !== 'name') fail(`expected a variable name in the values, found '${tokens[pos].text}'`);
    const name = tokens[pos++].text;
    if (!(tokens[pos].kind === 'op' && tokens[pos].text === '=')) fail(`expected '=' after ${name} in the values`);
    pos++;
    let sign = 1;
    if (tokens[pos].kind === 'op' && tokens[pos].text === '-') {
      sign = -1;
      pos++;
    }
    if (tokens[pos].kind !== 'number')
      fail(`expected a number for ${name}, found ${tokens[pos].kind === 'end' ? 'the end of the input' : `'${tokens[pos].text}'`}`);
    if (values.has(name)) fail(`${name} is given a value twice`);
    values.set(name, sign * Number(tokens[pos++].text));
    if (tokens[pos].kind !== 'end' && !isSeparator()) fail(`expected ',' between values, found '${tokens[pos].text}'`);
  }
  return values;
}
