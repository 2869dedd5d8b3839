/**
 * A stateful stand-in for GitHub's REST API on 127.0.0.1 that the real Octokit (through Probot)
 * talks to. It keeps repositories, commits (served as tarballs), pull requests, comments, check
 * runs, reviews, teams and permissions; records every request; injects faults (5xx, rate
 * limits); and answers 501 to any route it does not know, which `assertClean()` turns into a
 * test failure.
 */
import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { checkJson, pageOf, pullJson, type Reply } from './fake-github/shapes.js';
import { buildTarGz, type FakeFile } from './fake-github/tar.js';
import { BOT, user, type FakeChangedFile, type FakeCheckRun, type FakeComment, type FakePull, type FakeRepo, type FakeReview, type FakeUser } from './fake-github/state.js';

export { BOT, user } from './fake-github/state.js';
export type { FakeCheckRun, FakeComment, FakePull, FakeRepo, FakeReview } from './fake-github/state.js';
export type { FakeFile } from './fake-github/tar.js';

export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  status: number;
  body: unknown;
  at: number;
}

export interface Fault {
  method?: string;
  /** Matches the path (without query). */
  path: RegExp;
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
  /** How many requests it answers (default 1). */
  times?: number;
}

export interface FakeGitHubOptions {
  /** The app's public key: installation-token requests must carry a JWT it verifies. */
  appPublicKey?: string;
  /** Serve tarballs through a 302 to /_codeload (as GitHub does) or directly (default true). */
  redirectTarballs?: boolean;
}

const now = () => new Date().toISOString();

export class FakeGitHub {
  readonly requests: RecordedRequest[] = [];
  readonly unknownRoutes: string[] = [];
  /** org → team slug → login → membership state. */
  readonly teams = new Map<string, Map<string, Map<string, 'active' | 'pending'>>>();
  private readonly repos = new Map<string, FakeRepo>();
  private readonly faults: Fault[] = [];
  private readonly tokens = new Set<string>();
  private server: Server | null = null;
  private nextId = 100;
  private publicKey: KeyObject | null;
  url = '';

  constructor(private readonly options: FakeGitHubOptions = {}) {
    this.publicKey = options.appPublicKey ? createPublicKey(options.appPublicKey) : null;
  }

  async start(): Promise<string> {
    const server = createServer((req, res) => void this.handle(req, res));
    this.server = server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return this.url;
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (server) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }

  /** Throws when the app called a route the fake does not know. */
  assertClean(): void {
    if (this.unknownRoutes.length) throw new Error(`fake GitHub got unknown routes:\n${this.unknownRoutes.join('\n')}`);
  }

  // ── state set-up ────────────────────────────────────────────────────────────

  addRepo(owner: string, name: string): FakeRepo {
    const repo: FakeRepo = { owner, name, id: this.id(), commits: new Map(), branches: new Map(), pulls: new Map(), comments: [], checkRuns: [], reactions: [], permissions: new Map() };
    this.repos.set(`${owner}/${name}`, repo);
    return repo;
  }

  repo(owner: string, name: string): FakeRepo {
    const repo = this.repos.get(`${owner}/${name}`);
    if (!repo) throw new Error(`fake GitHub: no repo ${owner}/${name}`);
    return repo;
  }

  addCommit(repo: FakeRepo, sha: string, files: Record<string, FakeFile>): void {
    repo.commits.set(sha, files);
  }

  openPull(repo: FakeRepo, init: { number: number; headSha: string; baseSha: string; files: FakeChangedFile[]; author?: string; forkOwner?: string; title?: string }): FakePull {
    const pull: FakePull = {
      number: init.number,
      state: 'open',
      draft: false,
      title: init.title ?? `PR ${init.number}`,
      user: user(init.author ?? 'author'),
      head: { sha: init.headSha, ref: `feature-${init.number}`, forkOwner: init.forkOwner },
      base: { sha: init.baseSha, ref: 'main' },
      files: init.files,
      reviews: [],
      requestedTeams: [],
    };
    repo.pulls.set(init.number, pull);
    return pull;
  }

  addTeamMember(org: string, team: string, login: string, state: 'active' | 'pending' = 'active'): void {
    const teams = this.teams.get(org) ?? new Map<string, Map<string, 'active' | 'pending'>>();
    this.teams.set(org, teams);
    const members = teams.get(team) ?? new Map<string, 'active' | 'pending'>();
    teams.set(team, members);
    members.set(login, state);
  }

  /** A human review, as if submitted in the UI; returns it for the webhook payload. */
  submitReview(repo: FakeRepo, pullNumber: number, login: string, state: 'APPROVED' | 'CHANGES_REQUESTED' | 'COMMENTED'): FakeReview {
    const pull = this.pull(repo, pullNumber);
    const review: FakeReview = { id: this.id(), user: user(login), state, body: '', commit_id: pull.head.sha, submitted_at: now() };
    pull.reviews.push(review);
    return review;
  }

  dismissReview(repo: FakeRepo, pullNumber: number, reviewId: number): FakeReview {
    const review = this.pull(repo, pullNumber).reviews.find((r) => r.id === reviewId);
    if (!review) throw new Error(`no review ${reviewId}`);
    review.state = 'DISMISSED';
    return review;
  }

  /** A human comment on the PR; returns it for the webhook payload. */
  addComment(repo: FakeRepo, issue: number, login: string, body: string, type: 'User' | 'Bot' = 'User'): FakeComment {
    const comment: FakeComment = { id: this.id(), issue, body, user: { ...user(login), type }, created_at: now(), updated_at: now() };
    repo.comments.push(comment);
    return comment;
  }

  fault(fault: Fault): void {
    this.faults.push({ times: 1, ...fault });
  }

  /** Requests matching method and path pattern (assertions on what the app called). */
  calls(method: string, path: RegExp): RecordedRequest[] {
    return this.requests.filter((r) => r.method === method && path.test(r.path));
  }

  botComments(repo: FakeRepo, issue: number): FakeComment[] {
    return repo.comments.filter((c) => c.issue === issue && c.user.type === 'Bot');
  }

  checkRunsFor(repo: FakeRepo, sha: string): FakeCheckRun[] {
    return repo.checkRuns.filter((c) => c.head_sha === sha);
  }

  // ── HTTP ────────────────────────────────────────────────────────────────────

  private id(): number {
    return ++this.nextId;
  }

  private pull(repo: FakeRepo, n: number): FakePull {
    const pull = repo.pulls.get(n);
    if (!pull) throw new Error(`no pull ${n}`);
    return pull;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    let body: unknown = undefined;
    if (text) {
      try {
        body = JSON.parse(text);
      } catch {
        body = text;
      }
    }
    const url = new URL(req.url ?? '/', this.url);
    const method = req.method ?? 'GET';
    const record: RecordedRequest = { method, path: url.pathname, query: url.searchParams, status: 0, body, at: Date.now() };
    this.requests.push(record);
    let reply: Reply;
    try {
      reply = this.faultFor(method, url.pathname) ?? this.route(method, url, body, req);
    } catch (err) {
      reply = { status: 500, body: { message: `fake GitHub bug: ${(err as Error).message}` } };
    }
    record.status = reply.status;
    if (reply.raw) {
      res.writeHead(reply.status, reply.headers ?? {}).end(reply.raw);
      return;
    }
    res.writeHead(reply.status, { 'content-type': 'application/json; charset=utf-8', ...(reply.headers ?? {}) });
    res.end(reply.body === undefined ? '' : JSON.stringify(reply.body));
  }

  private faultFor(method: string, path: string): Reply | null {
    const fault = this.faults.find((f) => (f.method === undefined || f.method === method) && f.path.test(path) && (f.times ?? 1) > 0);
    if (!fault) return null;
    fault.times = (fault.times ?? 1) - 1;
    return { status: fault.status, headers: fault.headers, body: fault.body ?? { message: `injected ${fault.status}` } };
  }

  private authorized(req: IncomingMessage): boolean {
    const auth = req.headers.authorization ?? '';
    const token = auth.replace(/^(token|bearer)\s+/i, '');
    return this.tokens.has(token);
  }

  private verifyJwt(req: IncomingMessage): boolean {
    const auth = req.headers.authorization ?? '';
    const match = /^bearer\s+([\w-]+)\.([\w-]+)\.([\w-]+)$/i.exec(auth);
    if (!match) return false;
    if (!this.publicKey) return true;
    return verify('RSA-SHA256', Buffer.from(`${match[1]}.${match[2]}`), this.publicKey, Buffer.from(match[3], 'base64url'));
  }


  private route(method: string, url: URL, body: unknown, req: IncomingMessage): Reply {
    const path = url.pathname;
    const input = (body ?? {}) as Record<string, unknown>;
    let m: RegExpExecArray | null;

    if (method === 'POST' && (m = /^\/app\/installations\/(\d+)\/access_tokens$/.exec(path))) {
      if (!this.verifyJwt(req)) return { status: 401, body: { message: 'A JSON web token could not be decoded' } };
      const token = `ghs_fake${m[1]}x${this.id()}`;
      this.tokens.add(token);
      return { status: 201, body: { token, expires_at: new Date(Date.now() + 3600_000).toISOString(), permissions: {}, repository_selection: 'all' } };
    }
    if (method === 'GET' && (m = /^\/_codeload\/([^/]+)\/([^/]+)\/([^/]+)$/.exec(path))) {
      return this.tarball(this.repos.get(`${m[1]}/${m[2]}`), m[3]);
    }
    if (!this.authorized(req)) {
      if (this.known(method, path)) return { status: 401, body: { message: 'Bad credentials' } };
      return this.unknown(method, url);
    }

    if ((m = /^\/orgs\/([^/]+)\/teams\/([^/]+)\/memberships\/([^/]+)$/.exec(path)) && method === 'GET') {
      const state = this.teams.get(m[1])?.get(m[2])?.get(m[3]);
      return state ? { status: 200, body: { state, role: 'member', url: url.href } } : { status: 404, body: { message: 'Not Found' } };
    }

    m = /^\/repos\/([^/]+)\/([^/]+)(\/.*)?$/.exec(path);
    const repo = m ? this.repos.get(`${m[1]}/${m[2]}`) : undefined;
    if (!m || !repo) return this.known(method, path) ? { status: 404, body: { message: 'Not Found' } } : this.unknown(method, url);
    const rest = m[3] ?? '';
    const repoJson = { id: repo.id, name: repo.name, full_name: `${repo.owner}/${repo.name}`, owner: { login: repo.owner, type: 'Organization' } };

    if (method === 'GET' && (m = /^\/pulls\/(\d+)$/.exec(rest))) {
      const pull = repo.pulls.get(Number(m[1]));
      return pull ? { status: 200, body: pullJson(repo, pull) } : { status: 404, body: { message: 'Not Found' } };
    }
    if (method === 'GET' && (m = /^\/pulls\/(\d+)\/files$/.exec(rest))) {
      const pull = repo.pulls.get(Number(m[1]));
      if (!pull) return { status: 404, body: { message: 'Not Found' } };
      // GitHub stops listing after 3,000 files.
      return pageOf(url, pull.files.slice(0, 3000).map((f) => ({ sha: 'f'.repeat(40), additions: 1, deletions: 0, changes: 1, ...f })));
    }
    if ((m = /^\/pulls\/(\d+)\/reviews$/.exec(rest))) {
      const pull = repo.pulls.get(Number(m[1]));
      if (!pull) return { status: 404, body: { message: 'Not Found' } };
      if (method === 'GET') return pageOf(url, pull.reviews);
      if (method === 'POST') {
        const review: FakeReview = { id: this.id(), user: BOT, state: input.event === 'REQUEST_CHANGES' ? 'CHANGES_REQUESTED' : 'COMMENTED', body: String(input.body ?? ''), commit_id: String(input.commit_id ?? pull.head.sha), submitted_at: now() };
        pull.reviews.push(review);
        return { status: 200, body: review };
      }
    }
    if (method === 'POST' && (m = /^\/pulls\/(\d+)\/requested_reviewers$/.exec(rest))) {
      const pull = repo.pulls.get(Number(m[1]));
      if (!pull) return { status: 404, body: { message: 'Not Found' } };
      const teams = Array.isArray(input.team_reviewers) ? input.team_reviewers.map(String) : [];
      pull.requestedTeams = [...new Set([...pull.requestedTeams, ...teams])];
      return { status: 201, body: pullJson(repo, pull) };
    }
    if ((m = /^\/issues\/(\d+)\/comments$/.exec(rest))) {
      const issue = Number(m[1]);
      if (method === 'GET') return pageOf(url, repo.comments.filter((c) => c.issue === issue));
      if (method === 'POST') {
        const comment: FakeComment = { id: this.id(), issue, body: String(input.body ?? ''), user: BOT, created_at: now(), updated_at: now() };
        repo.comments.push(comment);
        return { status: 201, body: comment };
      }
    }
    if (method === 'PATCH' && (m = /^\/issues\/comments\/(\d+)$/.exec(rest))) {
      const comment = repo.comments.find((c) => c.id === Number(m?.[1]));
      if (!comment) return { status: 404, body: { message: 'Not Found' } };
      comment.body = String(input.body ?? '');
      comment.updated_at = now();
      return { status: 200, body: comment };
    }
    if (method === 'POST' && (m = /^\/issues\/comments\/(\d+)\/reactions$/.exec(rest))) {
      repo.reactions.push({ commentId: Number(m[1]), content: String(input.content) });
      return { status: 201, body: { id: this.id(), content: input.content, user: BOT } };
    }
    if (method === 'POST' && rest === '/check-runs') {
      const run: FakeCheckRun = {
        id: this.id(),
        name: String(input.name),
        head_sha: String(input.head_sha),
        status: String(input.status ?? 'queued'),
        conclusion: (input.conclusion as string | undefined) ?? null,
        external_id: (input.external_id as string | undefined) ?? null,
        started_at: (input.started_at as string | undefined) ?? null,
        completed_at: null,
        output: { title: null, summary: null, ...(input.output as object | undefined) },
        actions: (input.actions as FakeCheckRun['actions'] | undefined) ?? [],
        history: [],
      };
      run.history.push({ status: run.status, conclusion: run.conclusion, title: run.output.title });
      repo.checkRuns.push(run);
      return { status: 201, body: checkJson(repo, run) };
    }
    if (method === 'PATCH' && (m = /^\/check-runs\/(\d+)$/.exec(rest))) {
      const run = repo.checkRuns.find((c) => c.id === Number(m?.[1]));
      if (!run) return { status: 404, body: { message: 'Not Found' } };
      if (input.conclusion !== undefined) {
        run.status = 'completed';
        run.conclusion = String(input.conclusion);
      } else if (input.status !== undefined) {
        run.status = String(input.status);
        if (run.status !== 'completed') run.conclusion = null;
      }
      if (input.output) run.output = { ...run.output, ...(input.output as object) };
      if (input.actions) run.actions = input.actions as FakeCheckRun['actions'];
      if (input.completed_at) run.completed_at = String(input.completed_at);
      run.history.push({ status: run.status, conclusion: run.conclusion, title: run.output.title });
      return { status: 200, body: checkJson(repo, run) };
    }
    if (method === 'GET' && (m = /^\/commits\/([^/]+)\/check-runs$/.exec(rest))) {
      const sha = repo.branches.get(m[1]) ?? m[1];
      const name = url.searchParams.get('check_name');
      const runs = repo.checkRuns.filter((c) => c.head_sha === sha && (!name || c.name === name)).reverse();
      return { status: 200, body: { total_count: runs.length, check_runs: runs.map((r) => checkJson(repo, r)) } };
    }
    if (method === 'GET' && (m = /^\/tarball\/(.+)$/.exec(rest))) {
      const sha = repo.branches.get(m[1]) ?? m[1];
      if (this.options.redirectTarballs === false) return this.tarball(repo, sha);
      return { status: 302, headers: { location: `${this.url}/_codeload/${repo.owner}/${repo.name}/${sha}` }, body: undefined };
    }
    if (method === 'GET' && (m = /^\/contents\/(.+)$/.exec(rest))) {
      const ref = url.searchParams.get('ref') ?? 'main';
      const files = repo.commits.get(repo.branches.get(ref) ?? ref);
      const file = files?.[decodeURIComponent(m[1])];
      if (typeof file !== 'string' && !Buffer.isBuffer(file)) return { status: 404, body: { message: 'Not Found' } };
      const content = Buffer.from(file).toString('base64');
      return { status: 200, body: { type: 'file', encoding: 'base64', path: m[1], name: m[1].split('/').pop(), size: Buffer.byteLength(file), content, sha: 'c'.repeat(40) } };
    }
    if (method === 'GET' && (m = /^\/collaborators\/([^/]+)\/permission$/.exec(rest))) {
      const permission = repo.permissions.get(m[1]) ?? 'read';
      const folded = permission === 'maintain' ? 'write' : permission === 'triage' ? 'read' : permission;
      return { status: 200, body: { permission: folded, role_name: permission, user: user(m[1]) } };
    }
    if (method === 'GET' && rest === '') return { status: 200, body: repoJson };
    return this.unknown(method, url);
  }

  private known(method: string, path: string): boolean {
    return /^\/repos\/|^\/orgs\//.test(path) && ['GET', 'POST', 'PATCH'].includes(method);
  }

  private unknown(method: string, url: URL): Reply {
    this.unknownRoutes.push(`${method} ${url.pathname}${url.search}`);
    return { status: 501, body: { message: `fake GitHub does not implement ${method} ${url.pathname}` } };
  }

  private tarball(repo: FakeRepo | undefined, sha: string): Reply {
    const files = repo?.commits.get(sha);
    if (!repo || !files) return { status: 404, body: { message: 'Not Found' } };
    const raw = buildTarGz(`${repo.owner}-${repo.name}-${sha.slice(0, 7)}`, files);
    return { status: 200, raw, headers: { 'content-type': 'application/x-gzip', 'content-length': String(raw.length) } };
  }


}

export type { FakeChangedFile, FakeUser };
