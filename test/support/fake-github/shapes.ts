import type { FakeCheckRun, FakePull, FakeRepo } from './state.js';

/** REST response shapes and pagination (Link headers) for the fake GitHub. */

export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  raw?: Buffer;
}

export function pageOf<T>(url: URL, items: T[], max = 100): Reply {
  const perPage = Math.min(max, Number(url.searchParams.get('per_page') ?? 30) || 30);
  const page = Math.max(1, Number(url.searchParams.get('page') ?? 1) || 1);
  const last = Math.max(1, Math.ceil(items.length / perPage));
  const link = (p: number, rel: string) => {
    const next = new URL(url.href);
    next.searchParams.set('page', String(p));
    next.searchParams.set('per_page', String(perPage));
    return `<${next.href}>; rel="${rel}"`;
  };
  const links: string[] = [];
  if (page < last) links.push(link(page + 1, 'next'), link(last, 'last'));
  if (page > 1) links.push(link(1, 'first'), link(page - 1, 'prev'));
  return { status: 200, body: items.slice((page - 1) * perPage, page * perPage), headers: links.length ? { link: links.join(', ') } : {} };
}

export function pullJson(repo: FakeRepo, pull: FakePull) {
  const baseRepo = { id: repo.id, name: repo.name, full_name: `${repo.owner}/${repo.name}`, fork: false, owner: { login: repo.owner } };
  const headOwner = pull.head.forkOwner ?? repo.owner;
  const headRepo = pull.head.forkOwner ? { id: repo.id + 1, name: repo.name, full_name: `${headOwner}/${repo.name}`, fork: true, owner: { login: headOwner } } : baseRepo;
  return {
    number: pull.number,
    state: pull.state,
    draft: pull.draft,
    title: pull.title,
    user: pull.user,
    changed_files: pull.files.length,
    head: { sha: pull.head.sha, ref: pull.head.ref, label: `${headOwner}:${pull.head.ref}`, repo: headRepo, user: { login: headOwner } },
    base: { sha: pull.base.sha, ref: pull.base.ref, label: `${repo.owner}:${pull.base.ref}`, repo: baseRepo, user: { login: repo.owner } },
    requested_teams: pull.requestedTeams.map((slug) => ({ slug, name: slug })),
  };
}

export function checkJson(repo: FakeRepo, run: FakeCheckRun) {
  const { history: _history, ...rest } = run;
  return { ...rest, app: { id: 1, slug: 'impact-review' }, pull_requests: [], check_suite: { id: 1 }, html_url: `https://github.com/${repo.owner}/${repo.name}/runs/${run.id}` };
}
