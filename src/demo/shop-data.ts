import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { CsvWriter, csvText } from './csv-writer.js';
import { createRandom, type Random } from './prng.js';
import { SHOP_TABLE_COLUMNS, type ShopTable } from './shop-schema.js';

/**
 * Deterministic raw data for the `shop` example project: customers, orders, refunds and payments
 * over two years before a fixed as-of date. Spending is skewed (a few enterprise customers buy a
 * lot) so that the High ≥ 5000 / Medium ≥ 1000 segments are all populated both all-time and over
 * the last 90 days, which the PR 1 demo relies on.
 */

export interface ShopDataOptions {
  /** PRNG seed; the same seed gives byte-identical files. Default 42. */
  seed?: number;
  /** Default 10,000. */
  customers?: number;
  /** Default 100,000. */
  orders?: number;
  /** The "today" of the data (YYYY-MM-DD); orders end the day before. Default 2026-11-01, as the project's `as_of_date` var. */
  asOf?: string;
}

export interface ShopDataResult {
  /** Table name → absolute path of its CSV. */
  files: Record<string, string>;
  /** Table name → number of data rows written. */
  counts: Record<string, number>;
}

export const DEFAULT_SHOP_OPTIONS = { seed: 42, customers: 10_000, orders: 100_000, asOf: '2026-11-01' } as const;

/** Days of order history before the as-of date. */
const HISTORY_DAYS = 730;
/** Customers may have signed up a little before the order history starts. */
const SIGNUP_SPAN_DAYS = 790;
const DAY_MS = 86_400_000;

type CustomerType = 'consumer' | 'smb' | 'enterprise';

/** Relative order frequency and typical order size of each kind of customer. */
const PROFILES: Record<CustomerType, { share: number; rate: number; orderSize: number }> = {
  consumer: { share: 0.8, rate: 1, orderSize: 55 },
  smb: { share: 0.165, rate: 3, orderSize: 320 },
  enterprise: { share: 0.035, rate: 8, orderSize: 1900 },
};

const COUNTRIES: readonly (readonly [string, number])[] = [
  ['US', 38], ['GB', 9], ['DE', 9], ['FR', 7], ['CA', 6], ['NL', 4], ['ES', 4], ['IT', 4],
  ['SE', 3], ['AU', 4], ['JP', 4], ['BR', 3], ['IN', 3], ['MX', 2],
];
const CHANNELS: readonly (readonly [string, number])[] = [
  ['organic', 34], ['paid_search', 24], ['social', 14], ['email', 10], ['referral', 10], ['partner', 8],
];
const FIRST_NAMES = ['Ava', 'Liam', 'Noah', 'Emma', 'Mia', 'Lucas', 'Sofia', 'Elias', 'Maya', 'Omar', 'Yuki', 'Lena', 'Ravi', 'Chloe', 'Mateo', 'Ines', 'Jonas', 'Aisha', 'Hugo', 'Zoe'];
const LAST_NAMES = ['Smith', 'Garcia', 'Müller', 'Martin', 'Rossi', 'Silva', 'Tanaka', 'Kumar', 'Dubois', 'Jansen', 'Novak', 'Larsen', 'Brown', "O'Neil", 'Kowalski', 'Nguyen', 'Lopez', 'Fischer', 'Ali', 'Cohen'];
const EMAIL_DOMAINS = ['example.com', 'mail.example', 'example.org', 'corp.example'];
const REFUND_REASONS: readonly (readonly [string, number])[] = [
  ['damaged', 3], ['late_delivery', 3], ['goodwill', 2], ['pricing_error', 1],
];

interface Customers {
  /** Order-history window per customer (epoch days, inclusive); lo > hi means no orders. */
  lo: Int32Array;
  hi: Int32Array;
  /** Typical order size. */
  spend: Float64Array;
  type: CustomerType[];
  /** Cumulative order weights for sampling which customer places an order. */
  cumulative: Float64Array;
}

export async function generateShopData(outDir: string, options: ShopDataOptions = {}): Promise<ShopDataResult> {
  const seed = options.seed ?? DEFAULT_SHOP_OPTIONS.seed;
  const customerCount = options.customers ?? DEFAULT_SHOP_OPTIONS.customers;
  const orderCount = options.orders ?? DEFAULT_SHOP_OPTIONS.orders;
  const asOfDay = parseIsoDay(options.asOf ?? DEFAULT_SHOP_OPTIONS.asOf);
  if (!Number.isInteger(seed)) throw new Error(`generateShopData: seed must be an integer, got ${seed}`);
  for (const [name, value] of [['customers', customerCount], ['orders', orderCount]] as const) {
    if (!Number.isInteger(value) || value < 1) throw new Error(`generateShopData: ${name} must be a positive integer, got ${value}`);
  }

  mkdirSync(outDir, { recursive: true });
  const files: Record<string, string> = {};
  const open = (table: ShopTable): CsvWriter => {
    files[table] = join(outDir, `${table}.csv`);
    return new CsvWriter(files[table], SHOP_TABLE_COLUMNS[table].map((column) => column[0]));
  };

  const random = createRandom(seed);
  const customersOut = open('customers');
  const customers = writeCustomers(customersOut, random, customerCount, asOfDay);
  customersOut.close();

  const ordersOut = open('orders');
  const refundsOut = open('refunds');
  const paymentsOut = open('payments');
  writeOrders({ orders: ordersOut, refunds: refundsOut, payments: paymentsOut }, random, customers, orderCount, asOfDay);
  for (const w of [ordersOut, refundsOut, paymentsOut]) w.close();

  return {
    files,
    counts: {
      customers: customersOut.rows,
      orders: ordersOut.rows,
      refunds: refundsOut.rows,
      payments: paymentsOut.rows,
    },
  };
}

function writeCustomers(out: CsvWriter, random: Random, count: number, asOfDay: number): Customers {
  const historyStart = asOfDay - HISTORY_DAYS;
  const lastDay = asOfDay - 1;
  const lo = new Int32Array(count);
  const hi = new Int32Array(count);
  const spend = new Float64Array(count);
  const type: CustomerType[] = new Array<CustomerType>(count);
  const cumulative = new Float64Array(count);
  const types = Object.entries(PROFILES).map(([t, p]) => [t as CustomerType, p.share] as const);
  const loadedAt = `${isoDay(asOfDay)} 04:30:00`;
  let total = 0;

  for (let i = 0; i < count; i++) {
    const id = i + 1;
    // Later signups are more common: the business is growing.
    const signup = asOfDay - SIGNUP_SPAN_DAYS + Math.floor(SIGNUP_SPAN_DAYS * Math.pow(random.next(), 0.8));
    const first = FIRST_NAMES[random.int(0, FIRST_NAMES.length - 1)];
    const last = LAST_NAMES[random.int(0, LAST_NAMES.length - 1)];
    // Two kinds of test account: flagged ones, and unflagged ones only recognisable by their e-mail domain.
    const testKind = random.weighted([['none', 98], ['flagged', 1], ['email', 1]] as const);
    const kind: CustomerType = testKind === 'none' ? random.weighted(types) : 'enterprise';
    const domain = testKind === 'email' ? 'test.example' : EMAIL_DOMAINS[random.int(0, EMAIL_DOMAINS.length - 1)];
    const local = testKind === 'flagged' ? `qa.${id}` : `${first}.${last}${id}`.toLowerCase().replace(/[^a-z0-9.]/g, '');
    const profile = PROFILES[kind];

    // A third of customers stop buying at some point, so retention has something to measure.
    let end = lastDay;
    if (random.chance(0.3)) end = Math.min(lastDay, signup + random.int(20, 500));
    lo[i] = Math.max(signup, historyStart);
    hi[i] = end;
    spend[i] = profile.orderSize * random.logNormal(0, 0.45);
    type[i] = kind;
    const activeDays = Math.max(0, end - lo[i] + 1);
    total += activeDays * profile.rate * random.logNormal(0, 0.6);
    cumulative[i] = total;

    out.write([
      id,
      csvText(first),
      csvText(last),
      `${local}@${domain}`,
      testKind === 'flagged',
      kind,
      random.weighted(COUNTRIES),
      isoDay(signup),
      random.weighted(CHANNELS),
      loadedAt,
    ]);
  }
  return { lo, hi, spend, type, cumulative };
}

interface OrderWriters {
  orders: CsvWriter;
  refunds: CsvWriter;
  payments: CsvWriter;
}

function writeOrders(out: OrderWriters, random: Random, customers: Customers, count: number, asOfDay: number): void {
  const total = customers.cumulative[customers.cumulative.length - 1];
  if (!(total > 0)) throw new Error('generateShopData: no customer can place orders; raise `customers`');

  // Draw every order first, then number them by date so order ids grow with time as in a real system.
  const customerOf = new Int32Array(count);
  const dayOf = new Int32Array(count);
  for (let j = 0; j < count; j++) {
    const c = upperBound(customers.cumulative, random.next() * total);
    customerOf[j] = c;
    dayOf[j] = random.int(customers.lo[c], customers.hi[c]);
  }
  const order = sortByDay(dayOf, asOfDay - HISTORY_DAYS, asOfDay);

  let refundId = 0;
  let paymentId = 0;
  for (let k = 0; k < count; k++) {
    const j = order[k];
    const orderId = k + 1;
    const c = customerOf[j];
    const day = dayOf[j];
    const kind = customers.type[c];
    const cents = Math.max(499, Math.round(customers.spend[c] * random.logNormal(0, 0.6) * 100));
    const status = orderStatus(random, asOfDay - day);
    const channel =
      kind === 'enterprise'
        ? random.weighted([['sales_rep', 6], ['web', 3], ['mobile', 1]] as const)
        : random.weighted([['web', 6], ['mobile', 4]] as const);
    out.orders.write([orderId, c + 1, isoDay(day), status, money(cents), 'USD', channel, `${isoDay(day + 1)} 03:00:00`]);

    // Returned orders are refunded in full; a few others get a partial refund.
    let refundCents = 0;
    let reason = '';
    if (status === 'returned') {
      refundCents = cents;
      reason = 'returned';
    } else if ((status === 'completed' && random.chance(0.06)) || (status === 'shipped' && random.chance(0.01))) {
      refundCents = Math.round(cents * (0.1 + 0.4 * random.next()));
      reason = random.weighted(REFUND_REASONS);
    }
    if (refundCents > 0) {
      const refundDay = Math.min(asOfDay - 1, day + random.int(3, 25));
      out.refunds.write([++refundId, orderId, isoDay(refundDay), money(refundCents), reason, `${isoDay(refundDay + 1)} 03:00:00`]);
    }

    if (status !== 'cancelled') {
      const method =
        kind === 'enterprise'
          ? random.weighted([['bank_transfer', 6], ['credit_card', 4]] as const)
          : random.weighted([['credit_card', 7], ['paypal', 2], ['gift_card', 1]] as const);
      if (random.chance(0.03)) {
        out.payments.write([++paymentId, orderId, isoDay(day), method, 'failed', money(cents), `${isoDay(day + 1)} 03:00:00`]);
      }
      const paymentStatus = status === 'placed' ? 'pending' : 'success';
      out.payments.write([++paymentId, orderId, isoDay(day), method, paymentStatus, money(cents), `${isoDay(day + 1)} 03:00:00`]);
    }
  }
}

/** Recent orders are still in flight; older ones have settled. */
function orderStatus(random: Random, ageDays: number): string {
  if (ageDays <= 2) return random.weighted([['placed', 70], ['shipped', 25], ['cancelled', 5]] as const);
  if (ageDays <= 7) return random.weighted([['shipped', 70], ['completed', 22], ['cancelled', 5], ['placed', 3]] as const);
  return random.weighted([['completed', 89], ['returned', 5], ['cancelled', 6]] as const);
}

/** Index of the first element greater than x (cumulative weights → sampled customer). */
function upperBound(sorted: Float64Array, x: number): number {
  let lo = 0;
  let hi = sorted.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] > x) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** Stable counting sort of draw indices by day: O(n) and no comparator. */
function sortByDay(days: Int32Array, firstDay: number, endDay: number): Int32Array {
  const buckets = new Int32Array(endDay - firstDay + 1);
  for (const d of days) buckets[d - firstDay + 1]++;
  for (let i = 1; i < buckets.length; i++) buckets[i] += buckets[i - 1];
  const out = new Int32Array(days.length);
  for (let j = 0; j < days.length; j++) out[buckets[days[j] - firstDay]++] = j;
  return out;
}

function money(cents: number): string {
  return `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;
}

function parseIsoDay(value: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  const ms = m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) : Number.NaN;
  if (!m || Number.isNaN(ms) || isoDay(ms / DAY_MS) !== value) {
    throw new Error(`generateShopData: asOf must be a date written YYYY-MM-DD, got '${value}'`);
  }
  return ms / DAY_MS;
}

function isoDay(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}
