/**
 * The slice of Python's `datetime` and `re` modules dbt exposes as `modules.*` and
 * `run_started_at`, enough for the date arithmetic and formatting real projects do.
 */
import { splitKeywords } from './python.js';

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');
const DAY_NAMES = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTH_NAMES = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

export class TimeDelta {
  constructor(readonly ms: number) {}
  get days(): number {
    return Math.floor(this.ms / 86_400_000);
  }
  get seconds(): number {
    return Math.floor((this.ms % 86_400_000) / 1000);
  }
  total_seconds(): number {
    return this.ms / 1000;
  }
  toString(): string {
    const days = this.days;
    const rest = this.ms - days * 86_400_000;
    const h = Math.floor(rest / 3_600_000);
    const m = Math.floor((rest % 3_600_000) / 60_000);
    const s = Math.floor((rest % 60_000) / 1000);
    const time = `${h}:${pad(m)}:${pad(s)}`;
    return days ? `${days} day${Math.abs(days) === 1 ? '' : 's'}, ${time}` : time;
  }
}

function timedelta(...raw: unknown[]): TimeDelta {
  const { args, kwargs } = splitKeywords(raw);
  const n = (key: string, index: number): number => Number(kwargs[key] ?? args[index] ?? 0);
  const ms = n('days', 0) * 86_400_000 + n('seconds', 1) * 1000 + n('microseconds', 2) / 1000 + n('milliseconds', 3) + n('minutes', 4) * 60_000 + n('hours', 5) * 3_600_000 + n('weeks', 6) * 7 * 86_400_000;
  return new TimeDelta(ms);
}

/** A UTC instant; `aware` ones print with `+00:00` like dbt's run_started_at. */
export class PyDateTime {
  constructor(readonly instant: Date, readonly aware: boolean, readonly dateOnly = false) {}
  get year(): number {
    return this.instant.getUTCFullYear();
  }
  get month(): number {
    return this.instant.getUTCMonth() + 1;
  }
  get day(): number {
    return this.instant.getUTCDate();
  }
  get hour(): number {
    return this.instant.getUTCHours();
  }
  get minute(): number {
    return this.instant.getUTCMinutes();
  }
  get second(): number {
    return this.instant.getUTCSeconds();
  }
  get microsecond(): number {
    return this.instant.getUTCMilliseconds() * 1000;
  }
  strftime(format: unknown): string {
    const d = this.instant;
    const map: Record<string, () => string> = {
      Y: () => String(d.getUTCFullYear()),
      y: () => pad(d.getUTCFullYear() % 100),
      m: () => pad(d.getUTCMonth() + 1),
      d: () => pad(d.getUTCDate()),
      H: () => pad(d.getUTCHours()),
      I: () => pad(d.getUTCHours() % 12 || 12),
      p: () => (d.getUTCHours() < 12 ? 'AM' : 'PM'),
      M: () => pad(d.getUTCMinutes()),
      S: () => pad(d.getUTCSeconds()),
      f: () => pad(d.getUTCMilliseconds() * 1000, 6),
      j: () => pad(Math.floor((d.getTime() - Date.UTC(d.getUTCFullYear(), 0, 1)) / 86_400_000) + 1, 3),
      a: () => DAY_NAMES[d.getUTCDay()].slice(0, 3),
      A: () => DAY_NAMES[d.getUTCDay()],
      b: () => MONTH_NAMES[d.getUTCMonth()].slice(0, 3),
      B: () => MONTH_NAMES[d.getUTCMonth()],
      w: () => String(d.getUTCDay()),
      z: () => (this.aware ? '+0000' : ''),
      Z: () => (this.aware ? 'UTC' : ''),
      '%': () => '%',
    };
    return String(format).replace(/%([a-zA-Z%])/g, (whole, code: string) => (map[code] ? map[code]() : whole));
  }
  isoformat(sep: unknown = 'T'): string {
    if (this.dateOnly) return this.strftime('%Y-%m-%d');
    const frac = this.instant.getUTCMilliseconds() ? `.${this.strftime('%f')}` : '';
    return `${this.strftime('%Y-%m-%d')}${String(sep)}${this.strftime('%H:%M:%S')}${frac}${this.aware ? '+00:00' : ''}`;
  }
  timestamp(): number {
    return this.instant.getTime() / 1000;
  }
  weekday(): number {
    return (this.instant.getUTCDay() + 6) % 7;
  }
  date(): PyDateTime {
    return this.toDate();
  }
  toDate(): PyDateTime {
    return new PyDateTime(new Date(Date.UTC(this.year, this.month - 1, this.day)), false, true);
  }
  replace(...raw: unknown[]): PyDateTime {
    const { kwargs } = splitKeywords(raw);
    const get = (k: string, v: number): number => (typeof kwargs[k] === 'number' ? (kwargs[k] as number) : v);
    const date = new Date(Date.UTC(get('year', this.year), get('month', this.month) - 1, get('day', this.day), get('hour', this.hour), get('minute', this.minute), get('second', this.second), this.instant.getUTCMilliseconds()));
    return new PyDateTime(date, 'tzinfo' in kwargs ? kwargs.tzinfo !== null : this.aware, this.dateOnly);
  }
  astimezone(): PyDateTime {
    return new PyDateTime(this.instant, true, this.dateOnly);
  }
  toString(): string {
    return this.isoformat(' ');
  }
}

export function pySub(a: unknown, b: unknown): unknown {
  if (a instanceof PyDateTime && b instanceof TimeDelta) return new PyDateTime(new Date(a.instant.getTime() - b.ms), a.aware, a.dateOnly);
  if (a instanceof PyDateTime && b instanceof PyDateTime) return new TimeDelta(a.instant.getTime() - b.instant.getTime());
  if (a instanceof TimeDelta && b instanceof TimeDelta) return new TimeDelta(a.ms - b.ms);
  return (a as number) - (b as number);
}

export function addTime(a: unknown, b: unknown): unknown {
  if (a instanceof PyDateTime && b instanceof TimeDelta) return new PyDateTime(new Date(a.instant.getTime() + b.ms), a.aware, a.dateOnly);
  if (a instanceof TimeDelta && b instanceof PyDateTime) return addTime(b, a);
  if (a instanceof TimeDelta && b instanceof TimeDelta) return new TimeDelta(a.ms + b.ms);
  return undefined;
}

function parseDate(text: string, format: string): PyDateTime {
  const fields: Record<string, number> = { Y: 1970, m: 1, d: 1, H: 0, M: 0, S: 0 };
  let pattern = '^';
  const order: string[] = [];
  for (let i = 0; i < format.length; i++) {
    if (format[i] === '%' && i + 1 < format.length) {
      const code = format[++i];
      order.push(code);
      pattern += code === 'Y' ? '(\\d{4})' : code === 'f' ? '(\\d{1,6})' : '(\\d{1,2})';
    } else {
      pattern += format[i].replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    }
  }
  const m = new RegExp(`${pattern}$`).exec(text);
  if (!m) throw new Error(`ValueError: time data '${text}' does not match format '${format}'`);
  order.forEach((code, i) => {
    fields[code] = Number(m[i + 1]);
  });
  return new PyDateTime(new Date(Date.UTC(fields.Y, fields.m - 1, fields.d, fields.H, fields.M, fields.S)), false);
}

/** `modules.datetime`, `modules.re`, `modules.pytz`. `now` is fixed per renderer for deterministic output. */
export function makeModules(now: Date): Record<string, unknown> {
  const dt = (d: Date, aware = false): PyDateTime => new PyDateTime(d, aware);
  const datetimeClass = Object.assign(
    (...raw: unknown[]) => {
      const { args } = splitKeywords(raw);
      const n = args.map(Number);
      return dt(new Date(Date.UTC(n[0], (n[1] ?? 1) - 1, n[2] ?? 1, n[3] ?? 0, n[4] ?? 0, n[5] ?? 0)));
    },
    {
      now: () => dt(now),
      utcnow: () => dt(now),
      strptime: (text: unknown, format: unknown) => parseDate(String(text), String(format)),
      fromisoformat: (text: unknown) => dt(new Date(`${String(text).replace(' ', 'T')}${/[zZ]|[+-]\d\d:?\d\d$/.test(String(text)) ? '' : 'Z'}`)),
    },
  );
  const dateClass = Object.assign(
    (y: unknown, m: unknown, d: unknown) => new PyDateTime(new Date(Date.UTC(Number(y), Number(m) - 1, Number(d))), false, true),
    { today: () => new PyDateTime(new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate())), false, true) },
  );
  const flags = (raw: unknown): string => (typeof raw === 'number' && raw & 2 ? 'i' : '') + (typeof raw === 'number' && raw & 8 ? 'm' : '') + (typeof raw === 'number' && raw & 16 ? 's' : '');
  const toRegex = (pattern: unknown, f: unknown, extra = ''): RegExp => {
    const source = pattern instanceof RegExp ? pattern.source : String(pattern).replace(/\(\?P</g, '(?<').replace(/\(\?P=(\w+)\)/g, '\\k<$1>');
    return new RegExp(source, flags(f) + extra);
  };
  const matchObject = (m: RegExpExecArray | null): unknown =>
    m === null
      ? null
      : {
          group: (i: unknown = 0) => (typeof i === 'string' ? (m.groups?.[i] ?? null) : (m[Number(i)] ?? null)),
          groups: () => m.slice(1).map((g) => g ?? null),
          start: () => m.index,
          end: () => m.index + m[0].length,
        };
  const re = {
    IGNORECASE: 2,
    I: 2,
    MULTILINE: 8,
    M: 8,
    DOTALL: 16,
    S: 16,
    match: (p: unknown, s: unknown, f?: unknown) => {
      const m = toRegex(p, f, 'y').exec(String(s));
      return matchObject(m);
    },
    fullmatch: (p: unknown, s: unknown, f?: unknown) => matchObject(new RegExp(`^(?:${toRegex(p, f).source})$`, flags(f)).exec(String(s))),
    search: (p: unknown, s: unknown, f?: unknown) => matchObject(toRegex(p, f).exec(String(s))),
    sub: (p: unknown, repl: unknown, s: unknown, count?: unknown, f?: unknown) => {
      const rx = toRegex(p, f, typeof count === 'number' && count > 0 ? '' : 'g');
      return String(s).replace(rx, String(repl).replace(/\\(\d)/g, '$$$1'));
    },
    findall: (p: unknown, s: unknown, f?: unknown) => [...String(s).matchAll(toRegex(p, f, 'g'))].map((m) => (m.length > 2 ? m.slice(1) : (m[1] ?? m[0]))),
    split: (p: unknown, s: unknown) => String(s).split(toRegex(p, 0)),
    escape: (s: unknown) => String(s).replace(/[.*+?^${}()|[\]\\]/g, '\\$&'),
    compile: (p: unknown, f?: unknown) => toRegex(p, f),
  };
  const utc = { zone: 'UTC', toString: () => 'UTC' };
  return {
    datetime: { datetime: datetimeClass, date: dateClass, timedelta, timezone: { utc } },
    re,
    pytz: { utc, UTC: utc, timezone: () => utc },
    time: { time: () => now.getTime() / 1000 },
  };
}

export function makeRunStartedAt(at: Date): PyDateTime {
  return new PyDateTime(at, true);
}
