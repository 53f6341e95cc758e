/**
 * Records → rows of PostgreSQL's COPY text format (the same bytes for PostgreSQL and PGlite).
 *
 * A row is its fields joined by TAB and ended by LF; NULL is `\N`; inside a field a backslash,
 * TAB, LF and CR are written `\\`, `\t`, `\n`, `\r`. Nothing else needs escaping: with every
 * backslash doubled, no field can contain `\N` or the end marker `\.` by accident.
 *
 * Checks made here, so that a bad record is refused at `write` (counted, never thrown) rather
 * than failing a whole COPY batch later:
 *   - a required column present and non-null (natural keys);
 *   - integers: a safe-integer number or a bigint, within int4 / int8; no floats, no strings;
 *   - no NUL character in text or JSON (PostgreSQL cannot store it);
 *   - JSON serialisable (bigints become JSON numbers, exactly).
 * A string with a lone UTF-16 surrogate is written with U+FFFD in its place (UTF-8 cannot hold it).
 *
 * Cost: one pass over the columns and one over the record's keys (for `extra`); strings are
 * scanned once by a regular expression and copied only when they hold a character to escape.
 */
import { EXTRA_COLUMN, type Column, type TableSpec } from './tables.js';

const NEEDS_ESCAPE = /[\\\t\n\r\0]/;
/** Anything that needs a second look: an escape, a NUL, or a surrogate (maybe a lone one). */
const NEEDS_CARE = /[\\\t\n\r\0\uD800-\uDFFF]/;
const INT4_MIN = -2147483648;
const INT4_MAX = 2147483647;
const INT8_MIN = -(2n ** 63n);
const INT8_MAX = 2n ** 63n - 1n;

/** Escape one text value for COPY text format; `undefined` when it holds a NUL character. */
export function escapeCopyText(value: string): string | undefined {
  if (!NEEDS_CARE.test(value)) return value; // the common case: one scan, no copy
  const s = value.isWellFormed() ? value : value.toWellFormed();
  if (!NEEDS_ESCAPE.test(s)) return s;
  let out = '';
  let from = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    let rep: string;
    if (c === 92) rep = '\\\\';
    else if (c === 9) rep = '\\t';
    else if (c === 10) rep = '\\n';
    else if (c === 13) rep = '\\r';
    else if (c === 0) return undefined;
    else continue;
    out += s.slice(from, i) + rep;
    from = i + 1;
  }
  return out + s.slice(from);
}

/** Undo `escapeCopyText` (tests and spill tools). `\N` is NULL → null. */
export function unescapeCopyText(field: string): string | null {
  if (field === '\\N') return null;
  if (!field.includes('\\')) return field;
  return field.replace(/\\(.)/g, (_, c: string) => (c === 't' ? '\t' : c === 'n' ? '\n' : c === 'r' ? '\r' : c));
}

// JSON numbers are exact in jsonb (numeric), so a bigint is written as its digits, unquoted:
// stringified as a marked string first (a per-process random tag no real string carries), then
// unquoted. (JSON.rawJSON would do this directly, but Node 20 lacks it.)
const BIG_TAG = `@big${Math.random().toString(36).slice(2)}:`;
const BIG_MARKED = new RegExp(`"${BIG_TAG}(-?\\d+)"`, 'g');

function bigintReplacer(_key: string, v: unknown): unknown {
  return typeof v === 'bigint' ? BIG_TAG + v.toString() : v;
}

/** A lone surrogate escape that JSON.stringify leaves (`\udXXX` not preceded by an odd run of backslashes). */
const LONE_SURROGATE_ESCAPE = /(^|[^\\])((?:\\\\)*)\\ud[89a-f][0-9a-f]{2}/g;

/** JSON text of `value` for a jsonb column, escaped for COPY; `undefined` when it cannot be stored. */
export function copyJson(value: unknown): string | undefined {
  let json: string | undefined;
  try {
    json = JSON.stringify(value);
  } catch {
    try {
      json = JSON.stringify(value, bigintReplacer)?.replace(BIG_MARKED, '$1');
    } catch {
      return undefined; // circular, or a throwing toJSON
    }
  }
  if (json === undefined) return undefined;
  if (json.includes('\\u0000')) return undefined;
  if (json.includes('\\ud')) {
    let prev: string;
    do {
      prev = json;
      json = json.replace(LONE_SURROGATE_ESCAPE, '$1$2\\ufffd');
    } while (json !== prev);
  }
  return escapeCopyText(json);
}

function intText(v: unknown, int4: boolean): string | undefined {
  if (typeof v === 'number') {
    if (!Number.isSafeInteger(v)) return undefined;
    if (int4 && (v < INT4_MIN || v > INT4_MAX)) return undefined;
    return '' + v;
  }
  if (typeof v === 'bigint') {
    if (int4 ? v < BigInt(INT4_MIN) || v > BigInt(INT4_MAX) : v < INT8_MIN || v > INT8_MAX) return undefined;
    return v.toString();
  }
  return undefined;
}

interface CompiledSpec {
  readonly columns: readonly Column[];
  readonly known: ReadonlySet<string>;
}

const compiled = new WeakMap<TableSpec, CompiledSpec>();

function compile(spec: TableSpec): CompiledSpec {
  let c = compiled.get(spec);
  if (c === undefined) {
    const known = new Set(spec.columns.map((col) => col.name));
    if (spec.routeField !== undefined) known.add(spec.routeField);
    known.add(EXTRA_COLUMN);
    c = { columns: spec.columns, known };
    compiled.set(spec, c);
  }
  return c;
}

/**
 * Encodes records into COPY rows. `encode` returns the row (without its LF) or `undefined`, with
 * the reason in `reason` ('missing:<column>', 'type:<column>', 'nul:<column>', 'json:<column>').
 */
export class RowEncoder {
  reason = '';

  encode(spec: TableSpec, record: Readonly<Record<string, unknown>>): string | undefined {
    const c = compile(spec);
    let row = '';
    const cols = c.columns;
    for (let i = 0; i < cols.length; i++) {
      const col = cols[i];
      const v = record[col.name];
      let field: string | undefined;
      if (v === undefined || v === null) {
        if (col.required) return this.fail('missing', col.name);
        field = '\\N';
      } else {
        switch (col.type) {
          case 'text':
            if (typeof v !== 'string') return this.fail('type', col.name);
            field = escapeCopyText(v);
            if (field === undefined) return this.fail('nul', col.name);
            break;
          case 'int':
          case 'bigint':
            field = intText(v, col.type === 'int');
            if (field === undefined) return this.fail('type', col.name);
            break;
          case 'bool':
            if (typeof v !== 'boolean') return this.fail('type', col.name);
            field = v ? 't' : 'f';
            break;
          case 'json':
            field = copyJson(v);
            if (field === undefined) return this.fail('json', col.name);
            break;
        }
      }
      row += i === 0 ? field : '\t' + field;
    }
    // Fields that are not columns → extra (and a caller's own `extra` object, merged).
    let extra: Record<string, unknown> | undefined;
    for (const key in record) {
      if (c.known.has(key)) continue;
      const v = record[key];
      if (v === undefined) continue;
      (extra ??= {})[key] = v;
    }
    const own = record[EXTRA_COLUMN];
    if (own !== undefined && own !== null) {
      extra = typeof own === 'object' && !Array.isArray(own) ? { ...(own as object), ...extra } : { ...extra, [EXTRA_COLUMN]: own };
    }
    if (extra === undefined) return row + '\t\\N';
    const json = copyJson(extra);
    if (json === undefined) return this.fail('json', EXTRA_COLUMN);
    return row + '\t' + json;
  }

  private fail(what: string, column: string): undefined {
    this.reason = `${what}:${column}`;
    return undefined;
  }
}
