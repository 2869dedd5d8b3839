import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createNodeMiddleware, Probot, type Logger, type ProbotOctokit } from 'probot';
import { impactReviewApp } from './app.js';
import { productionOctokit } from './octokit.js';
import type { AppDeps } from './analysis.js';
import type { ReviewPipeline } from './pipeline.js';
import { WorkQueue } from './queue.js';

export interface CreateAppOptions {
  pipeline: ReviewPipeline;
  appId: number | string;
  /** PEM private key of the GitHub App. */
  privateKey: string;
  webhookSecret: string;
  /** GitHub's REST API root (GitHub Enterprise, or a fake server in tests). */
  baseUrl?: string;
  /** An Octokit class with other defaults (tests turn throttling off and retries fast). */
  Octokit?: typeof ProbotOctokit;
  logLevel?: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';
  log?: Logger;
  /** Pull requests analysed at once by this replica (default 2). */
  maxConcurrency?: number;
  /** Cap on each tarball, compressed and unpacked (default 200 MiB; config limits.max_fetch_bytes lowers it). */
  maxFetchBytes?: number;
  webhookPath?: string;
}

export interface ImpactReviewApp {
  probot: Probot;
  /** Node request handler: the webhook path, GET /healthz, 404 otherwise. */
  handler(req: IncomingMessage, res: ServerResponse): Promise<void>;
  /** Starts an HTTP server; resolves to its base URL. */
  listen(port: number, host?: string): Promise<string>;
  /** Resolves once no background work is running or queued. */
  idle(): Promise<void>;
  /** Stops accepting requests and waits for background work to finish. */
  close(): Promise<void>;
}

export const DEFAULT_WEBHOOK_PATH = '/api/github/webhooks';

export async function createApp(options: CreateAppOptions): Promise<ImpactReviewApp> {
  const probot = new Probot({
    appId: options.appId,
    privateKey: options.privateKey,
    secret: options.webhookSecret,
    baseUrl: options.baseUrl,
    Octokit: options.Octokit ?? productionOctokit(),
    log: options.log,
    logLevel: options.logLevel ?? 'info',
  });
  const queue = new WorkQueue(options.maxConcurrency ?? 2, { error: (obj, msg) => probot.log.error(obj, msg) });
  const deps: AppDeps = {
    pipeline: options.pipeline,
    queue,
    // Probot creates its logger while initialising, after this object exists.
    get log() {
      return probot.log;
    },
    maxFetchBytes: options.maxFetchBytes ?? 200 * 1024 * 1024,
  };
  const middleware = await createNodeMiddleware(impactReviewApp(deps), { probot, webhooksPath: options.webhookPath ?? DEFAULT_WEBHOOK_PATH });

  const handler = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'GET' && (path === '/healthz' || path === '/')) {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
      return;
    }
    const handled = await middleware(req, res);
    if (!handled && !res.headersSent) res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
  };

  let server: Server | null = null;
  return {
    probot,
    handler,
    idle: () => queue.idle(),
    async listen(port: number, host = 'localhost'): Promise<string> {
      const s = createServer((req, res) => {
        handler(req, res).catch((err: unknown) => {
          probot.log.error({ err }, 'request failed');
          if (!res.headersSent) res.writeHead(500).end();
        });
      });
      server = s;
      await new Promise<void>((resolve, reject) => {
        s.once('error', reject);
        s.listen(port, host, () => resolve());
      });
      const { port: bound } = s.address() as AddressInfo;
      return `http://${host.includes(':') ? `[${host}]` : host}:${bound}`;
    },
    async close(): Promise<void> {
      const s = server;
      server = null;
      if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
      await queue.idle();
    },
  };
}
