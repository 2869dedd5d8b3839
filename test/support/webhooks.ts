/**
 * Real webhook deliveries over HTTP, signed like GitHub signs them (X-Hub-Signature-256), with
 * payloads in the shape of @octokit/webhooks-examples, trimmed to the fields apps read.
 */
import { createHmac, randomUUID } from 'node:crypto';
import type { FakeComment, FakePull, FakeRepo, FakeReview } from './fake-github.js';

export interface Delivery {
  status: number;
  body: string;
  /** Time from sending to the response, in ms. */
  ms: number;
  id: string;
}

export function sign(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

export async function deliver(url: string, secret: string, event: string, payload: unknown, options: { signature?: string; id?: string } = {}): Promise<Delivery> {
  const body = JSON.stringify(payload);
  const id = options.id ?? randomUUID();
  const started = performance.now();
  const res = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'user-agent': 'GitHub-Hookshot/fake',
      'x-github-event': event,
      'x-github-delivery': id,
      'x-github-hook-id': '1',
      'x-github-hook-installation-target-type': 'integration',
      'x-hub-signature-256': options.signature ?? sign(secret, body),
    },
    body,
  });
  const text = await res.text();
  return { status: res.status, body: text, ms: performance.now() - started, id };
}

export const INSTALLATION_ID = 4242;

function account(login: string, type: 'User' | 'Organization' | 'Bot' = 'User') {
  return { login, id: 5000 + login.length, node_id: `U_${login}`, type, site_admin: false, html_url: `https://github.com/${login}` };
}

export function repositoryPayload(repo: FakeRepo) {
  return {
    id: repo.id,
    node_id: `R_${repo.id}`,
    name: repo.name,
    full_name: `${repo.owner}/${repo.name}`,
    private: true,
    owner: account(repo.owner, 'Organization'),
    html_url: `https://github.com/${repo.owner}/${repo.name}`,
    fork: false,
    default_branch: 'main',
  };
}

export function pullRequestPayloadObject(repo: FakeRepo, pull: FakePull) {
  const base = repositoryPayload(repo);
  const headOwner = pull.head.forkOwner ?? repo.owner;
  const headRepo = pull.head.forkOwner ? { ...base, id: repo.id + 1, full_name: `${headOwner}/${repo.name}`, owner: account(headOwner), fork: true } : base;
  return {
    url: `https://api.github.com/repos/${repo.owner}/${repo.name}/pulls/${pull.number}`,
    id: 7000 + pull.number,
    node_id: `PR_${pull.number}`,
    number: pull.number,
    state: pull.state,
    locked: false,
    title: pull.title,
    user: account(pull.user.login),
    body: 'Changes a model.',
    draft: pull.draft,
    merged: false,
    head: { label: `${headOwner}:${pull.head.ref}`, ref: pull.head.ref, sha: pull.head.sha, user: account(headOwner), repo: headRepo },
    base: { label: `${repo.owner}:${pull.base.ref}`, ref: pull.base.ref, sha: pull.base.sha, user: account(repo.owner, 'Organization'), repo: base },
    author_association: pull.head.forkOwner ? 'CONTRIBUTOR' : 'MEMBER',
    changed_files: pull.files.length,
  };
}

function common(repo: FakeRepo, sender: string) {
  return {
    repository: repositoryPayload(repo),
    organization: { login: repo.owner, id: 6000 },
    sender: account(sender),
    installation: { id: INSTALLATION_ID, node_id: `I_${INSTALLATION_ID}` },
  };
}

export function pullRequestEvent(repo: FakeRepo, pull: FakePull, action: 'opened' | 'synchronize' | 'reopened' | 'ready_for_review' | 'edited', extra: { before?: string; changes?: unknown } = {}) {
  return { action, number: pull.number, ...extra, pull_request: pullRequestPayloadObject(repo, pull), ...common(repo, pull.user.login) };
}

export function reviewEvent(repo: FakeRepo, pull: FakePull, review: FakeReview, action: 'submitted' | 'dismissed') {
  return {
    action,
    review: { id: review.id, node_id: `PRR_${review.id}`, user: account(review.user.login), body: review.body, commit_id: review.commit_id, submitted_at: review.submitted_at, state: review.state.toLowerCase(), author_association: 'MEMBER' },
    pull_request: pullRequestPayloadObject(repo, pull),
    ...common(repo, review.user.login),
  };
}

export function issueCommentEvent(repo: FakeRepo, pull: FakePull | null, comment: FakeComment) {
  return {
    action: 'created',
    issue: {
      id: 8000 + comment.issue,
      number: comment.issue,
      title: pull?.title ?? 'An issue',
      state: 'open',
      user: account(pull?.user.login ?? 'someone'),
      ...(pull ? { pull_request: { url: `https://api.github.com/repos/${repo.owner}/${repo.name}/pulls/${pull.number}`, html_url: `https://github.com/${repo.owner}/${repo.name}/pull/${pull.number}` } } : {}),
    },
    comment: { id: comment.id, node_id: `IC_${comment.id}`, body: comment.body, user: account(comment.user.login, comment.user.type), created_at: comment.created_at, updated_at: comment.updated_at, author_association: 'MEMBER' },
    ...common(repo, comment.user.login),
  };
}

export function checkRunEvent(repo: FakeRepo, run: { id: number; head_sha: string; external_id: string | null; name: string }, action: 'rerequested' | 'requested_action', sender: string, pullNumbers: number[] = []) {
  return {
    action,
    check_run: {
      id: run.id,
      name: run.name,
      head_sha: run.head_sha,
      external_id: run.external_id,
      status: 'completed',
      conclusion: 'neutral',
      app: { id: 1, slug: 'impact-review' },
      pull_requests: pullNumbers.map((n) => ({ number: n, id: 7000 + n, url: '', head: { ref: 'x', sha: run.head_sha, repo: { id: repo.id, name: repo.name, url: '' } }, base: { ref: 'main', sha: '', repo: { id: repo.id, name: repo.name, url: '' } } })),
      check_suite: { id: 1, head_sha: run.head_sha },
    },
    ...(action === 'requested_action' ? { requested_action: { identifier: 'rerun' } } : {}),
    ...common(repo, sender),
  };
}

export { randomUUID };
