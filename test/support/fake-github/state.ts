import type { FakeFile } from './tar.js';

/** The GitHub objects the fake keeps, in the shapes the REST API returns (trimmed to what matters). */

export interface FakeUser {
  login: string;
  id: number;
  type: 'User' | 'Bot';
}

export interface FakeComment {
  id: number;
  issue: number;
  body: string;
  user: FakeUser;
  created_at: string;
  updated_at: string;
}

export interface FakeCheckRun {
  id: number;
  name: string;
  head_sha: string;
  status: string;
  conclusion: string | null;
  external_id: string | null;
  started_at: string | null;
  completed_at: string | null;
  output: { title: string | null; summary: string | null };
  actions: { label: string; description: string; identifier: string }[];
  /** Every state the check went through, for assertions. */
  history: { status: string; conclusion: string | null; title: string | null }[];
}

export interface FakeReview {
  id: number;
  user: FakeUser;
  state: string;
  body: string;
  commit_id: string;
  submitted_at: string;
}

export interface FakeChangedFile {
  filename: string;
  status: string;
  previous_filename?: string;
  additions?: number;
  deletions?: number;
}

export interface FakePull {
  number: number;
  state: 'open' | 'closed';
  draft: boolean;
  title: string;
  user: FakeUser;
  head: { sha: string; ref: string; forkOwner?: string };
  base: { sha: string; ref: string };
  files: FakeChangedFile[];
  reviews: FakeReview[];
  requestedTeams: string[];
}

export interface FakeRepo {
  owner: string;
  name: string;
  id: number;
  /** sha → files at that commit. */
  commits: Map<string, Record<string, FakeFile>>;
  branches: Map<string, string>;
  pulls: Map<number, FakePull>;
  comments: FakeComment[];
  checkRuns: FakeCheckRun[];
  reactions: { commentId: number; content: string }[];
  /** login → permission (admin, maintain, write, triage, read). */
  permissions: Map<string, string>;
}

export const BOT: FakeUser = { login: 'impact-review[bot]', id: 9000001, type: 'Bot' };

export function user(login: string, id = 1000 + login.length): FakeUser {
  return { login, id, type: 'User' };
}
