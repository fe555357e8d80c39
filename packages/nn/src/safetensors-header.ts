/**
 * The safetensors header, read by a parser of its own schema rather than by JSON.parse: a JSON object whose members
 * are `"__metadata__": {string: string, …}` (or null) and `"<name>": {"dtype": string, "shape": [int, …],
 * "data_offsets": [int, int]}`. Nothing else can appear, so the deepest a valid header nests is 3 (header, entry,
 * shape) and anything deeper, or of another shape, is refused at its first character. One pass over the text, no
 * recursion, and nothing is built but the entries themselves: work and memory grow with the header's length alone,
 * whatever it holds (JSON.parse would first build any structure it is handed, however deep or wide).
 *
 * The JSON is held to RFC 8259 (strings with their escapes, no trailing commas, whitespace of space, tab, CR, LF)
 * and the numbers to what the reference reader (Rust, u64) accepts: non-negative integers without fraction or
 * exponent. Duplicate names, in the header or in an entry or the metadata, are refused: JSON leaves their meaning
 * open, and a file must mean one thing.
 */
import { TapegradError } from '@tapegrad/core';
import { brand } from './brand.js';

/**
 * A file that is not valid safetensors (or a tensor that cannot be written): the message says what and where.
 * @example
 * try { decodeSafetensors(bytes); } catch (e) { if (e instanceof SafetensorsError) console.error(e.message); }
 */
export class SafetensorsError extends TapegradError {
  static {
    brand(this, 'SafetensorsError');
  }
}

/**
 * The most dimensions a tensor in a file may have (NumPy's limit): a longer shape is refused as it is read.
 * @example if (t.shape.length > MAX_RANK) throw new Error('cannot be saved');
 */
export const MAX_RANK = 64;

/**
 * The most tensors, and the most `__metadata__` entries, one file may name. Far above what real checkpoints hold in
 * one file (tens of thousands at most: large mixture-of-experts models split theirs over many files), and low enough
 * that the objects a header asks for stay in proportion to its bytes: a tensor costs this library about 650 bytes of
 * memory however few bytes name it, and V8 slows down on objects with millions of keys.
 * @example if (Object.keys(state).length > MAX_ENTRIES) console.warn('too many tensors for one file');
 */
export const MAX_ENTRIES = 100_000;

/** One tensor as the header describes it (offsets relative to the byte buffer). */
export interface HeaderEntry {
  readonly name: string;
  readonly dtype: string;
  readonly shape: number[];
  readonly begin: number;
  readonly end: number;
}

export interface Header {
  /** In the header's order. */
  readonly entries: HeaderEntry[];
  /** A null-prototype object, or null when the header has no `__metadata__`. */
  readonly metadata: Record<string, string> | null;
}

export function fail(message: string): never {
  throw new SafetensorsError(`safetensors: ${message}`);
}

/** A name or value from the file, quoted and cut short: error messages never grow with hostile input. */
export function quote(text: string): string {
  return JSON.stringify(text.length > 64 ? `${text.slice(0, 64)}…` : text);
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** Parses header text (already known to be valid UTF-8). */
export function parseHeader(text: string): Header {
  return new HeaderParser(text).header();
}

/** What the format requires at a point of the header, for an error message: built only when one is thrown. */
type Rule = string | (() => string);

const said = (rule: Rule): string => (typeof rule === 'string' ? rule : rule());

class HeaderParser {
  private at = 0;

  constructor(private readonly text: string) {}

  header(): Header {
    const entries: HeaderEntry[] = [];
    const names = new Set<string>();
    let metadata: Record<string, string> | null = null;
    if (this.text.charCodeAt(0) !== 0x7b) this.unexpected("the header must be a JSON object, starting with '{'");
    this.at = 1;
    this.members('the header', (name) => {
      if (names.has(name)) fail(`the name ${quote(name)} appears twice in the header`);
      names.add(name);
      if (name === '__metadata__') metadata = this.metadata();
      else if (entries.length === MAX_ENTRIES)
        fail(`the header names more than ${MAX_ENTRIES} tensors, the most this reader accepts in one file`);
      else entries.push(this.entry(name));
    });
    this.space();
    if (this.at < this.text.length) this.unexpected('only spaces may follow the header object');
    return { entries, metadata };
  }

  /** The members of an object whose '{' has been read, through its '}': `each` reads the value after each ':'. */
  private members(what: Rule, each: (key: string) => void): void {
    this.space();
    if (this.take(0x7d)) return;
    for (;;) {
      this.space();
      const key = this.string(() => `a quoted name must come next in ${said(what)}`);
      this.space();
      this.expect(0x3a, () => `':' must follow ${quote(key)} in ${said(what)}`);
      this.space();
      each(key);
      this.space();
      if (this.take(0x7d)) return;
      this.expect(0x2c, () => `',' or '}' must come next in ${said(what)}`);
    }
  }

  private metadata(): Record<string, string> | null {
    if (this.text.startsWith('null', this.at)) {
      this.at += 4;
      return null;
    }
    this.expect(0x7b, '__metadata__ must be an object of strings');
    const metadata = Object.create(null) as Record<string, string>;
    let count = 0;
    this.members('__metadata__', (key) => {
      if (Object.prototype.hasOwnProperty.call(metadata, key)) fail(`__metadata__ has the key ${quote(key)} twice`);
      if (++count > MAX_ENTRIES) fail(`__metadata__ has more than ${MAX_ENTRIES} entries, the most this reader accepts`);
      metadata[key] = this.string(() => `__metadata__ entry ${quote(key)} must be a string`);
    });
    return metadata;
  }

  private entry(name: string): HeaderEntry {
    const where = () => `tensor ${quote(name)}`;
    this.expect(0x7b, () => `${where()} must be an object with dtype, shape and data_offsets`);
    let dtype: string | undefined;
    let shape: number[] | undefined;
    let offsets: number[] | undefined;
    this.members(where, (key) => {
      if (key === 'dtype' && dtype === undefined) dtype = this.string(() => `${where()}: dtype must be a string`);
      else if (key === 'shape' && shape === undefined) shape = this.integers(() => `${where()}: shape`, MAX_RANK);
      else if (key === 'data_offsets' && offsets === undefined) offsets = this.integers(() => `${where()}: data_offsets`, 2);
      else if (key === 'dtype' || key === 'shape' || key === 'data_offsets') fail(`${where()} has ${key} twice`);
      else fail(`${where()}: the key ${quote(key)} is not dtype, shape or data_offsets`);
    });
    if (dtype === undefined || shape === undefined || offsets === undefined) {
      const missing = [dtype === undefined && 'dtype', shape === undefined && 'shape', offsets === undefined && 'data_offsets'];
      fail(`${where()} has no ${missing.filter(Boolean).join(' or ')}`);
    }
    if (offsets.length !== 2) fail(`${where()}: data_offsets must be [begin, end], got ${offsets.length} number(s)`);
    return { name, dtype, shape, begin: offsets[0], end: offsets[1] };
  }

  /** A JSON array of at most `max` non-negative integers. */
  private integers(what: () => string, max: number): number[] {
    this.expect(0x5b, () => `${what()} must be an array of non-negative integers`);
    const out: number[] = [];
    this.space();
    if (this.take(0x5d)) return out;
    for (;;) {
      this.space();
      if (out.length === max)
        fail(max === 2 ? `${what()} must be [begin, end], got more than 2 numbers` : `${what()} has more than ${max} dimensions`);
      out.push(this.integer(what));
      this.space();
      if (this.take(0x5d)) return out;
      this.expect(0x2c, () => `',' or ']' must come next in ${what()}`);
    }
  }

  private integer(what: () => string): number {
    const start = this.at;
    const text = this.text;
    if (text.charCodeAt(start) === 0x2d) fail(`${what()} must hold non-negative integers, found a negative number at character ${start}`);
    let end = start;
    while (end < text.length && text.charCodeAt(end) >= 0x30 && text.charCodeAt(end) <= 0x39) end++;
    if (end === start) this.unexpected(() => `${what()} must hold non-negative integers`);
    const next = text.charCodeAt(end);
    if (next === 0x2e || next === 0x65 || next === 0x45)
      fail(`${what()} must hold integers, found a fraction or exponent at character ${start}`);
    if (end - start > 1 && text.charCodeAt(start) === 0x30) fail(`${what()}: a number at character ${start} has a leading zero (not JSON)`);
    // Accumulated digit by digit: exact below 2^53, and no string is made.
    if (end - start > 16) fail(`${what()}: the number at character ${start} is larger than ${Number.MAX_SAFE_INTEGER}`);
    let value = 0;
    for (let i = start; i < end; i++) value = value * 10 + (text.charCodeAt(i) - 0x30);
    if (value > Number.MAX_SAFE_INTEGER) fail(`${what()}: the number at character ${start} is larger than ${Number.MAX_SAFE_INTEGER}`);
    this.at = end;
    return value;
  }

  /** A JSON string at the cursor, unescaped. */
  private string(rule: Rule): string {
    const text = this.text;
    const start = this.at;
    if (text.charCodeAt(start) !== QUOTE) this.unexpected(rule);
    let escaped = false;
    let end = start + 1;
    for (;;) {
      if (end >= text.length) fail(`a string starting at character ${start} is never closed`);
      const c = text.charCodeAt(end);
      if (c === QUOTE) break;
      if (c < 0x20) fail(`a string starting at character ${start} holds a raw control character (not JSON)`);
      if (c === BACKSLASH) {
        escaped = true;
        end++;
      }
      end++;
    }
    this.at = end + 1;
    if (!escaped) return text.slice(start + 1, end);
    // The literal is one JSON string and nothing else, so JSON.parse decodes its escapes and builds nothing more.
    try {
      return JSON.parse(text.slice(start, end + 1)) as string;
    } catch {
      return fail(`a string starting at character ${start} has an invalid escape`);
    }
  }

  private space(): void {
    const text = this.text;
    let at = this.at;
    for (;;) {
      const c = text.charCodeAt(at);
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) break;
      at++;
    }
    this.at = at;
  }

  private take(code: number): boolean {
    if (this.text.charCodeAt(this.at) !== code) return false;
    this.at++;
    return true;
  }

  private expect(code: number, rule: Rule): void {
    if (!this.take(code)) this.unexpected(rule);
  }

  /** Fails with `rule` (what the format requires here) and what the header holds instead. */
  private unexpected(rule: Rule): never {
    if (this.at >= this.text.length) fail(`${said(rule)}, but the header ends at character ${this.at}`);
    return fail(`${said(rule)}: found ${quote(this.text.slice(this.at, this.at + 12))} at character ${this.at}`);
  }
}
