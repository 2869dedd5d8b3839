import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { createApp, type ImpactReviewApp } from './create-app.js';
import type { ReviewPipeline } from './pipeline.js';
import { pipelineFromEnv } from './review-pipeline.js';

/**
 * `npm start`: serves the app from environment variables (APP_ID, PRIVATE_KEY or
 * PRIVATE_KEY_PATH, WEBHOOK_SECRET, PORT, HOST; optional GITHUB_API_URL, MAX_CONCURRENCY,
 * MAX_FETCH_BYTES, WEBHOOK_PATH, LOG_LEVEL).
 */

export class EnvError extends Error {
  override name = 'EnvError';
}

function required(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name]?.trim();
  if (!value) throw new EnvError(`${name} is not set`);
  return value;
}

/** The PEM key from PRIVATE_KEY (PEM, PEM with "\n" escapes, or base64 of the PEM) or PRIVATE_KEY_PATH. */
export function privateKeyFrom(env: NodeJS.ProcessEnv): string {
  if (env.PRIVATE_KEY_PATH) return readFileSync(env.PRIVATE_KEY_PATH, 'utf8');
  const raw = required(env, 'PRIVATE_KEY');
  if (raw.includes('-----BEGIN')) return raw.replace(/\\n/g, '\n');
  const decoded = Buffer.from(raw, 'base64').toString('utf8');
  if (decoded.includes('-----BEGIN')) return decoded;
  throw new EnvError('PRIVATE_KEY is neither a PEM key nor base64 of one');
}

function intFrom(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new EnvError(`${name} must be a whole number, got "${raw}"`);
  return value;
}

const LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;

export async function startServer(env: NodeJS.ProcessEnv = process.env, pipeline: ReviewPipeline = pipelineFromEnv(env)): Promise<{ app: ImpactReviewApp; url: string }> {
  const level = LEVELS.find((l) => l === env.LOG_LEVEL) ?? 'info';
  const app = await createApp({
    pipeline,
    appId: required(env, 'APP_ID'),
    privateKey: privateKeyFrom(env),
    webhookSecret: required(env, 'WEBHOOK_SECRET'),
    baseUrl: env.GITHUB_API_URL || undefined,
    maxConcurrency: intFrom(env, 'MAX_CONCURRENCY', 2) || 2,
    maxFetchBytes: intFrom(env, 'MAX_FETCH_BYTES', 0) || undefined,
    webhookPath: env.WEBHOOK_PATH || undefined,
    logLevel: level,
  });
  const url = await app.listen(intFrom(env, 'PORT', 3000), env.HOST || 'localhost');
  return { app, url };
}

async function main(): Promise<void> {
  let started: { app: ImpactReviewApp; url: string };
  try {
    started = await startServer();
  } catch (err) {
    // Configuration problems only: say which variable, never echo values.
    console.error(`impact-review: ${err instanceof EnvError ? err.message : 'could not start'}`);
    process.exit(1);
  }
  started.app.probot.log.info(`impact-review listening on ${started.url}`);
  const stop = () => {
    // Finish reviews in flight (bounded), so a rolling deploy does not leave checks in progress.
    const timer = setTimeout(() => process.exit(0), 25_000);
    timer.unref();
    void started.app.close().then(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) void main();
