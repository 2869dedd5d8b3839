/**
 * Python semantics that dbt projects rely on and that plain JavaScript gets wrong: how values print
 * (`True`, `None`, `['a', 'b']`), truthiness (an empty list is false), `+` on lists, and the
 * methods of str, list and dict.
 */
import nunjucks from 'nunjucks';

const SafeString = nunjucks.runtime.SafeString;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

export { isPlainObject };

/** Python's repr(), for values inside lists and dicts. */
export function pyRepr(value: unknown): string {
  if (typeof value === 'string') return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  if (value instanceof SafeString) return pyRepr(value.toString());
  return pyStr(value);
}

/** Python's str(): what `{{ value }}` prints. */
export function pyStr(value: unknown): string {
  if (value === undefined) return '';
  if (value === null) return 'None';
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return `[${value.map(pyRepr).join(', ')}]`;
  if (isPlainObject(value)) {
    const entries = Object.entries(value).filter(([k]) => k !== '__keywords');
    return `{${entries.map(([k, v]) => `${pyRepr(k)}: ${pyRepr(v)}`).join(', ')}}`;
  }
  return String(value);
}

/** Python truthiness: empty strings, lists and dicts, 0, None and undefined are false. */
export function pyBool(value: unknown): boolean {
  if (Array.isArray(value)) return value.length > 0;
  if (isPlainObject(value)) return Object.keys(value).length > 0;
  if (value instanceof SafeString) return value.toString().length > 0;
  return Boolean(value);
}

export function pyAdd(a: unknown, b: unknown): unknown {
  if (Array.isArray(a) && Array.isArray(b)) return [...a, ...b];
  if (a instanceof SafeString || b instanceof SafeString) return pyStrOrEmpty(a) + pyStrOrEmpty(b);
  return (a as number) + (b as number);
}

export function pyMul(a: unknown, b: unknown): unknown {
  if (typeof a === 'string' && typeof b === 'number') return a.repeat(Math.max(0, b));
  if (Array.isArray(a) && typeof b === 'number') return Array.from({ length: Math.max(0, b) }, () => a).flat();
  return (a as number) * (b as number);
}

function pyStrOrEmpty(value: unknown): string {
  return value === undefined ? '' : pyStr(value);
}

/** Python's `format % args` (printf-style), used by `'%s' % x` and the `format` filter. */
export function pyPercent(format: string, values: unknown): string {
  const list = Array.isArray(values) ? values : [values];
  let i = 0;
  return format.replace(/%(?:\((\w+)\))?([-+ 0#]*)(\d+)?(?:\.(\d+))?([sdifrxeEgG%])/g, (_m, key: string | undefined, flags: string, width: string | undefined, precision: string | undefined, conv: string) => {
    if (conv === '%') return '%';
    const value = key !== undefined && isPlainObject(values) ? values[key] : list[i++];
    let text: string;
    if (conv === 'd' || conv === 'i') text = String(Math.trunc(Number(value)));
    else if (conv === 'f') text = Number(value).toFixed(precision === undefined ? 6 : Number(precision));
    else if (conv === 'r') text = pyRepr(value);
    else if (conv === 'x') text = Math.trunc(Number(value)).toString(16);
    else if (conv === 'e' || conv === 'E' || conv === 'g' || conv === 'G') text = String(Number(value));
    else text = pyStrOrEmpty(value);
    if (width !== undefined) text = flags.includes('-') ? text.padEnd(Number(width)) : text.padStart(Number(width), flags.includes('0') && conv !== 's' ? '0' : ' ');
    return text;
  });
}

export function pyMod(a: unknown, b: unknown): unknown {
  if (typeof a === 'string' || a instanceof SafeString) return pyPercent(a.toString(), b);
  const x = a as number;
  const y = b as number;
  return ((x % y) + y) % y;
}

/** `~` concatenation: Jinja converts both sides with str(). */
export function pyConcat(a: unknown, b: unknown): string {
  return pyStrOrEmpty(a) + pyStrOrEmpty(b);
}

function pyFormat(template: string, args: unknown[], kwargs: Record<string, unknown>): string {
  let auto = 0;
  return template.replace(/\{\{|\}\}|\{([^{}:!]*)(?:![rsa])?(?::([^{}]*))?\}/g, (whole, field: string | undefined, spec: string | undefined) => {
    if (whole === '{{') return '{';
    if (whole === '}}') return '}';
    const key = field ?? '';
    let value: unknown;
    if (key === '') value = args[auto++];
    else if (/^\d+$/.test(key)) value = args[Number(key)];
    else value = kwargs[key];
    if (spec && typeof value === 'number') {
      const m = /^[^\d]?[<>^]?0?(\d*)(?:\.(\d+))?([fd%])?$/.exec(spec);
      if (m && m[2] !== undefined) return value.toFixed(Number(m[2]));
    }
    return pyStrOrEmpty(value);
  });
}

/** The keyword name `f(**d)` is rewritten to (see preprocess.ts); expanded when the call happens. */
export const SPLAT = '__splat__';

/** Expands a `**kwargs` splat in a call's trailing keyword object, in place. */
export function expandSplat(raw: unknown[]): unknown[] {
  const last = raw[raw.length - 1] as Record<string, unknown> | undefined;
  if (last && typeof last === 'object' && Object.prototype.hasOwnProperty.call(last, SPLAT)) {
    const splat = last[SPLAT];
    delete last[SPLAT];
    if (isPlainObject(splat)) for (const [k, v] of Object.entries(splat)) if (!(k in last) && k !== '__keywords') last[k] = v;
  }
  return raw;
}

function splitKeywords(raw: unknown[]): { args: unknown[]; kwargs: Record<string, unknown> } {
  const last = raw[raw.length - 1];
  if (last !== null && typeof last === 'object' && Object.prototype.hasOwnProperty.call(last, '__keywords')) {
    const kwargs: Record<string, unknown> = { ...(last as Record<string, unknown>) };
    delete kwargs.__keywords;
    if (Object.prototype.hasOwnProperty.call(kwargs, SPLAT)) {
      const splat = kwargs[SPLAT];
      delete kwargs[SPLAT];
      if (isPlainObject(splat)) for (const [k, v] of Object.entries(splat)) if (!(k in kwargs) && k !== '__keywords') kwargs[k] = v;
    }
    return { args: raw.slice(0, -1), kwargs };
  }
  return { args: raw, kwargs: {} };
}

export { splitKeywords };

function pySplit(s: string, sep: unknown, maxsplit: unknown): string[] {
  const max = typeof maxsplit === 'number' && maxsplit >= 0 ? maxsplit : Infinity;
  if (sep === undefined || sep === null) {
    const parts = s.trim().split(/\s+/).filter((p) => p !== '');
    if (max === Infinity || parts.length <= max + 1) return parts;
    // Re-split keeping the remainder intact.
    const out: string[] = [];
    let rest = s.trimStart();
    for (let i = 0; i < max; i++) {
      const m = /^(\S+)\s+/.exec(rest);
      if (!m) break;
      out.push(m[1]);
      rest = rest.slice(m[0].length);
    }
    out.push(rest);
    return out;
  }
  const separator = String(sep);
  const parts = s.split(separator);
  if (max === Infinity || parts.length <= max + 1) return parts;
  return [...parts.slice(0, max), parts.slice(max).join(separator)];
}

function stripChars(s: string, chars: unknown, side: 'both' | 'left' | 'right'): string {
  if (chars === undefined || chars === null) {
    return side === 'both' ? s.trim() : side === 'left' ? s.trimStart() : s.trimEnd();
  }
  const set = new Set(String(chars));
  let start = 0;
  let end = s.length;
  if (side !== 'right') while (start < end && set.has(s[start])) start++;
  if (side !== 'left') while (end > start && set.has(s[end - 1])) end--;
  return s.slice(start, end);
}

function anyOf(value: unknown, test: (candidate: string) => boolean): boolean {
  return Array.isArray(value) ? value.some((v) => test(String(v))) : test(String(value));
}

type Method = (self: never, ...raw: unknown[]) => unknown;

const STRING_METHODS: Record<string, (s: string, ...raw: unknown[]) => unknown> = {
  upper: (s) => s.toUpperCase(),
  lower: (s) => s.toLowerCase(),
  casefold: (s) => s.toLowerCase(),
  strip: (s, chars) => stripChars(s, chars, 'both'),
  lstrip: (s, chars) => stripChars(s, chars, 'left'),
  rstrip: (s, chars) => stripChars(s, chars, 'right'),
  split: (s, sep, maxsplit) => pySplit(s, sep, maxsplit),
  splitlines: (s) => s.split(/\r?\n/),
  replace: (s, from, to, count) => {
    const parts = s.split(String(from));
    if (typeof count === 'number' && count >= 0 && parts.length > count + 1) {
      return parts.slice(0, count + 1).join(String(to)) + String(from) + parts.slice(count + 1).join(String(from));
    }
    return parts.join(String(to));
  },
  startswith: (s, prefix) => anyOf(prefix, (p) => s.startsWith(p)),
  endswith: (s, suffix) => anyOf(suffix, (p) => s.endsWith(p)),
  find: (s, sub) => s.indexOf(String(sub)),
  rfind: (s, sub) => s.lastIndexOf(String(sub)),
  index: (s, sub) => {
    const i = s.indexOf(String(sub));
    if (i < 0) throw new Error('ValueError: substring not found');
    return i;
  },
  count: (s, sub) => (String(sub) === '' ? s.length + 1 : s.split(String(sub)).length - 1),
  join: (s, items) => (Array.isArray(items) ? items.map((i) => pyStrOrEmpty(i)).join(s) : ''),
  format: (s, ...raw) => {
    const { args, kwargs } = splitKeywords(raw);
    return pyFormat(s, args, kwargs);
  },
  title: (s) => s.toLowerCase().replace(/(^|[^a-zA-Z])([a-z])/g, (_m, a: string, b: string) => a + b.toUpperCase()),
  capitalize: (s) => (s.length ? s[0].toUpperCase() + s.slice(1).toLowerCase() : s),
  isdigit: (s) => /^\d+$/.test(s),
  isnumeric: (s) => /^\d+$/.test(s),
  isalpha: (s) => /^[A-Za-z]+$/.test(s),
  isalnum: (s) => /^[A-Za-z0-9]+$/.test(s),
  isupper: (s) => /[A-Z]/.test(s) && s === s.toUpperCase(),
  islower: (s) => /[a-z]/.test(s) && s === s.toLowerCase(),
  isspace: (s) => /^\s+$/.test(s),
  zfill: (s, width) => s.padStart(Number(width), '0'),
  ljust: (s, width, fill) => s.padEnd(Number(width), fill === undefined ? ' ' : String(fill)),
  rjust: (s, width, fill) => s.padStart(Number(width), fill === undefined ? ' ' : String(fill)),
  partition: (s, sep) => {
    const i = s.indexOf(String(sep));
    return i < 0 ? [s, '', ''] : [s.slice(0, i), String(sep), s.slice(i + String(sep).length)];
  },
  encode: (s) => s,
  decode: (s) => s,
};

const LIST_METHODS: Record<string, (l: unknown[], ...raw: unknown[]) => unknown> = {
  append: (l, v) => {
    l.push(v);
    return null;
  },
  extend: (l, v) => {
    if (Array.isArray(v)) l.push(...v);
    return null;
  },
  insert: (l, i, v) => {
    l.splice(Number(i), 0, v);
    return null;
  },
  pop: (l, i) => {
    if (l.length === 0) throw new Error('IndexError: pop from empty list');
    if (i === undefined) return l.pop();
    const idx = Number(i) < 0 ? l.length + Number(i) : Number(i);
    return l.splice(idx, 1)[0];
  },
  remove: (l, v) => {
    const i = l.indexOf(v);
    if (i < 0) throw new Error('ValueError: list.remove(x): x not in list');
    l.splice(i, 1);
    return null;
  },
  index: (l, v) => {
    const i = l.indexOf(v);
    if (i < 0) throw new Error(`ValueError: ${pyRepr(v)} is not in list`);
    return i;
  },
  count: (l, v) => l.filter((x) => x === v).length,
  copy: (l) => [...l],
  reverse: (l) => {
    l.reverse();
    return null;
  },
  sort: (l) => {
    l.sort((a, b) => (a === b ? 0 : (a as number) < (b as number) ? -1 : 1));
    return null;
  },
  clear: (l) => {
    l.length = 0;
    return null;
  },
};

const DICT_METHODS: Record<string, (d: Record<string, unknown>, ...raw: unknown[]) => unknown> = {
  items: (d) => Object.entries(d),
  iteritems: (d) => Object.entries(d),
  keys: (d) => Object.keys(d),
  values: (d) => Object.values(d),
  get: (d, key, def) => (Object.prototype.hasOwnProperty.call(d, String(key)) ? d[String(key)] : def === undefined ? null : def),
  has_key: (d, key) => Object.prototype.hasOwnProperty.call(d, String(key)),
  pop: (d, key, def) => {
    const k = String(key);
    if (Object.prototype.hasOwnProperty.call(d, k)) {
      const v = d[k];
      delete d[k];
      return v;
    }
    if (def === undefined) throw new Error(`KeyError: ${pyRepr(k)}`);
    return def;
  },
  setdefault: (d, key, def) => {
    const k = String(key);
    if (!Object.prototype.hasOwnProperty.call(d, k)) d[k] = def === undefined ? null : def;
    return d[k];
  },
  update: (d, ...raw) => {
    const { args, kwargs } = splitKeywords(raw);
    for (const a of args) if (a && typeof a === 'object') Object.assign(d, a);
    Object.assign(d, kwargs);
    return null;
  },
  copy: (d) => ({ ...d }),
  clear: (d) => {
    for (const k of Object.keys(d)) delete d[k];
    return null;
  },
};

function bindMethod<T>(table: Record<string, (self: T, ...raw: unknown[]) => unknown>, self: T, name: string): unknown {
  const fn = table[name];
  return (...raw: unknown[]) => fn(self, ...raw);
}

type Lookup = (obj: unknown, val: unknown, ...rest: unknown[]) => unknown;

/**
 * Attribute lookup with Python's methods for str, list and dict. Plain objects get dict methods
 * (Jinja's getattr wins over getitem for `.items`), other objects keep their own members.
 */
/** Members that lead from template values (functions, class instances) to JavaScript's machinery; Jinja code never needs them. */
export const UNSAFE_MEMBERS: ReadonlySet<string> = new Set([
  'constructor', 'prototype', '__proto__', '__defineGetter__', '__defineSetter__', '__lookupGetter__', '__lookupSetter__',
  'caller', 'callee', 'arguments', 'call', 'apply', 'bind',
]);
/** Names inherited from Object.prototype that must not resolve as template variables. */
export const UNSAFE_NAMES: ReadonlySet<string> = new Set([
  'constructor', 'prototype', '__proto__', '__defineGetter__', '__defineSetter__', '__lookupGetter__', '__lookupSetter__',
]);

export function makeMemberLookup(sliceLookup: Lookup): Lookup {
  return function memberLookup(this: unknown, obj: unknown, val: unknown, ...rest: unknown[]): unknown {
    if (rest.length === 2) {
      const text = typeof obj === 'string' ? obj : obj instanceof SafeString ? obj.toString() : null;
      if (text !== null) return (sliceLookup.call(this, [...text], val, ...rest) as string[]).join('');
      return sliceLookup.call(this, obj, val, ...rest);
    }
    if (obj === undefined || obj === null) return undefined;
    const key = val as string;
    if (obj instanceof SafeString) obj = obj.toString();
    if (typeof obj === 'string') {
      if (typeof key === 'number') return obj[key < 0 ? obj.length + key : key];
      if (Object.prototype.hasOwnProperty.call(STRING_METHODS, key)) return bindMethod(STRING_METHODS, obj, key);
      if (key === 'length') return obj.length;
      return undefined;
    }
    if (Array.isArray(obj)) {
      if (typeof key === 'number') return obj[key < 0 ? obj.length + key : key];
      if (Object.prototype.hasOwnProperty.call(LIST_METHODS, key)) return bindMethod(LIST_METHODS, obj, key);
    } else if (isPlainObject(obj)) {
      if (Object.prototype.hasOwnProperty.call(DICT_METHODS, key)) return bindMethod(DICT_METHODS, obj, key);
      return Object.prototype.hasOwnProperty.call(obj, key) ? obj[key] : undefined;
    }
    // The way out of a template into JavaScript (`x.constructor.constructor('…')()`): not Jinja.
    if (typeof key === 'string' && UNSAFE_MEMBERS.has(key)) return undefined;
    const member = (obj as Record<string, unknown>)[key];
    if (typeof member === 'function' && typeof obj === 'object') {
      // Bind methods of class instances (relations, adapter) but leave plain callables alone.
      return (member as Method).bind(obj as never);
    }
    return member;
  };
}
