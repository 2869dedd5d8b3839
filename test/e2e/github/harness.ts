/**
 * Starts the real app (Probot, its HTTP server, installation-token auth) against the fake GitHub,
 * with a fake pipeline whose answers the test controls.
 */
import { generateKeyPairSync } from 'node:crypto';
import pino from 'pino';
import { ProbotOctokit, type Logger } from 'probot';
import { createApp, DEFAULT_WEBHOOK_PATH, type ImpactReviewApp } from '../../../src/github/create-app.js';
import { productionOctokit } from '../../../src/github/octokit.js';
import type { ReviewInput, ReviewOutput, ReviewPipeline } from '../../../src/github/pipeline.js';
import { FakeGitHub, type FakeFile, type FakeRepo } from '../../support/fake-github.js';
import { deliver, type Delivery } from '../../support/webhooks.js';

export const SECRET = 'test-webhook-secret-4f2a9c';
export const OWNER = 'acme';
export const NAME = 'analytics-repo';

/** One key pair for the whole run: generating RSA keys is slow. */
let keys: { privateKey: string; publicKey: string } | null = null;
function appKeys() {
  keys ??= generateKeyPairSync('rsa', { modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } });
  return keys;
}

/** The app's private key (PEM) the harness signs its JWTs with: a secret no output may hold. */
export function appPrivateKey(): string {
  return appKeys().privateKey;
}

/**
 * A Probot logger at `level` (default info) whose JSON lines are kept in `lines`, so a test can
 * read everything the app logged.
 */
export function captureLog(level: 'trace' | 'debug' | 'info' | 'warn' | 'error' = 'info'): { log: Logger; lines: string[] } {
  const lines: string[] = [];
  const log = pino({ level }, { write: (line: string) => void lines.push(line) }) as unknown as Logger;
  return { log, lines };
}

export interface PipelineCall {
  input: ReviewInput;
  /** Files the pipeline saw on disk while it ran (relative paths → text). */
  headFiles: Record<string, string>;
}

/** A canned review: NEEDS_REVIEW with finance and growth required, text naming the commit. */
export function cannedOutput(input: ReviewInput, overrides: Partial<ReviewOutput> = {}): ReviewOutput {
  const sha = input.headSha.slice(0, 7);
  return {
    verdict: 'NEEDS_REVIEW',
    title: 'NEEDS REVIEW: fct_orders.revenue changed',
    requiredApprovals: [
      { team: 'finance', reasons: ['exposure finance_dashboard reads fct_orders'] },
      { team: 'growth', reasons: ['model growth_funnel is downstream'] },
    ],
    renderComment: (approved) => `## impact-review\n\n**NEEDS REVIEW** for ${sha}: \`fct_orders.revenue\` changed.\n\nApproved so far: ${JSON.stringify(approved)}`,
    renderCheckSummary: () => `fct_orders.revenue changed at ${sha}.`,
    ...overrides,
  };
}

export interface Harness {
  fake: FakeGitHub;
  app: ImpactReviewApp;
  repo: FakeRepo;
  url: string;
  calls: PipelineCall[];
  /** Replace what the pipeline does for the next calls. */
  setPipeline(fn: ReviewPipeline): void;
  send(event: string, payload: unknown, options?: { signature?: string; id?: string }): Promise<Delivery>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  maxConcurrency?: number;
  retries?: number;
  fake?: FakeGitHub;
  productionThrottling?: boolean;
  /** The app's logger (see captureLog); by default it logs nothing below fatal. */
  log?: Logger;
  /** The webhook secret the app verifies and the harness signs with (default SECRET). */
  webhookSecret?: string;
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const { privateKey, publicKey } = appKeys();
  const fake = options.fake ?? new FakeGitHub({ appPublicKey: publicKey });
  if (!fake.url) await fake.start();
  const repo = options.fake ? fake.repo(OWNER, NAME) : fake.addRepo(OWNER, NAME);
  const calls: PipelineCall[] = [];
  let impl: ReviewPipeline = async (input) => cannedOutput(input);
  const pipeline: ReviewPipeline = async (input) => {
    const { readFile } = await import('node:fs/promises');
    const headFiles: Record<string, string> = {};
    for (const f of input.changedFiles) headFiles[f.filename] = await readFile(`${input.headDir}/${f.filename}`, 'utf8').catch(() => '<missing>');
    calls.push({ input, headFiles });
    return impl(input);
  };
  // Throttling off (its write limiter spaces requests by a second); retries on but fast.
  const fast = ProbotOctokit.defaults((o: Record<string, unknown>) => ({ ...o, retry: { enabled: true, retries: options.retries ?? 1, retryAfterBaseValue: 5 }, throttle: { enabled: false } }));
  // The production client (throttling on, which spaces writes ~1 s apart), with fast 5xx retries.
  const Octokit = options.productionThrottling
    ? productionOctokit(ProbotOctokit.defaults((o: Record<string, unknown>) => ({ ...o, retry: { enabled: true, retries: 1, retryAfterBaseValue: 5 } })))
    : fast;
  const secret = options.webhookSecret ?? SECRET;
  const app = await createApp({ pipeline, appId: 123, privateKey, webhookSecret: secret, baseUrl: fake.url, Octokit, logLevel: 'fatal', log: options.log, maxConcurrency: options.maxConcurrency ?? 2 });
  const url = await app.listen(0, '127.0.0.1');
  return {
    fake,
    app,
    repo,
    url,
    calls,
    setPipeline: (fn) => {
      impl = fn;
    },
    send: (event, payload, opts) => deliver(`${url}${DEFAULT_WEBHOOK_PATH}`, secret, event, payload, opts),
    async close() {
      await app.close();
      if (!options.fake) await fake.close();
    },
  };
}

// ── fixture repository ─────────────────────────────────────────────────────────

export const SHA = {
  base: 'b'.repeat(40),
  head1: '1'.repeat(40),
  head2: '2'.repeat(40),
  docs: 'd'.repeat(40),
};

export const CONFIG = ['approvals:', '  per_team: 1', '  blocked_conclusion: action_required', ''].join('\n');

export function baseFiles(config: string | null = CONFIG): Record<string, FakeFile> {
  const files: Record<string, FakeFile> = {
    'README.md': '# analytics\n',
    'analytics/dbt_project.yml': "name: analytics\nversion: '1.0.0'\nprofile: analytics\nmodel-paths: ['models']\n",
    'analytics/models/fct_orders.sql': 'select order_id, amount as revenue from {{ ref("stg_orders") }}\n',
    'analytics/models/stg_orders.sql': 'select * from {{ source("shop", "orders") }}\n',
    'analytics/dbt_packages/dbt_utils/dbt_project.yml': 'name: dbt_utils\n',
  };
  if (config !== null) files['.github/impact-review.yml'] = config;
  return files;
}

export function headFiles(version: number, config: string | null = CONFIG): Record<string, FakeFile> {
  return { ...baseFiles(config), 'analytics/models/fct_orders.sql': `select order_id, amount - refund as revenue from {{ ref("stg_orders") }} -- v${version}\n` };
}

export const MODEL_CHANGE = [{ filename: 'analytics/models/fct_orders.sql', status: 'modified' }];
