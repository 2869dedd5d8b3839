import { describe, expect, it } from '@jest/globals';
import { approvalsMet, currentApprovers } from '../../../src/github/approvals.js';
import { conclusionFor } from '../../../src/github/check-run.js';
import { composeBody, parseState, replaceApprovals, APPROVALS_END, APPROVALS_START } from '../../../src/github/comment.js';
import { parseCommand } from '../../../src/github/handlers/command.js';
import { redactSecrets, safeErrorMessage } from '../../../src/github/redact.js';

describe('approvals', () => {
  const r = (id: number, login: string, state: string, at: string) => ({ id, user: { login }, state, submitted_at: `2026-01-01T00:00:${at}Z` });
  it('takes each user\'s latest decisive review', () => {
    expect(
      currentApprovers([
        r(1, 'ann', 'APPROVED', '01'),
        r(2, 'ann', 'COMMENTED', '02'), // a comment keeps the approval
        r(3, 'bob', 'APPROVED', '01'),
        r(4, 'bob', 'CHANGES_REQUESTED', '03'),
        r(5, 'cat', 'APPROVED', '01'),
        r(6, 'cat', 'DISMISSED', '04'),
        r(7, 'dan', 'CHANGES_REQUESTED', '01'),
        r(8, 'dan', 'APPROVED', '05'),
      ]),
    ).toEqual(['ann', 'dan']);
  });
  it('needs per_team approvals for every team', () => {
    const teams = [{ team: 'finance' }, { team: 'growth' }];
    expect(approvalsMet(teams, { finance: ['a', 'b'], growth: ['c'] }, 2)).toBe(false);
    expect(approvalsMet(teams, { finance: ['a', 'b'], growth: ['c', 'd'] }, 2)).toBe(true);
  });
  it('maps verdicts to conclusions', () => {
    expect(conclusionFor('SAFE', 0, false, 'failure')).toBe('success');
    expect(conclusionFor('ERROR', 1, false, 'failure')).toBe('neutral');
    expect(conclusionFor('NEEDS_REVIEW', 2, false, 'failure')).toBe('failure');
    expect(conclusionFor('NEEDS_REVIEW', 2, true, 'failure')).toBe('success');
    expect(conclusionFor('NOT_SAFE', 0, true, 'action_required')).toBe('action_required');
  });
});

describe('sticky comment', () => {
  it('round-trips its hidden state, even with text that would end an HTML comment', () => {
    const state = { sha: 'abc', verdict: 'NOT_SAFE' as const, teams: [{ team: 'fin-ops', reasons: ['x --> y'] }], perTeam: 1, blockedConclusion: 'failure' as const };
    const body = composeBody(state, 'hello');
    expect(body.split('-->')).toHaveLength(3); // only the two markers close comments
    expect(parseState(body)).toEqual(state);
  });
  it('replaces only the approvals section, or appends one', () => {
    const body = `top\n${APPROVALS_START}\nold\n${APPROVALS_END}\nbottom`;
    expect(replaceApprovals(body, 'new')).toBe(`top\n${APPROVALS_START}\nnew\n${APPROVALS_END}\nbottom`);
    expect(replaceApprovals('top\n', 'new')).toBe(`top\n\n${APPROVALS_START}\nnew\n${APPROVALS_END}\n`);
  });
});

describe('commands and secrets', () => {
  it('parses /impact commands on their own line only', () => {
    expect(parseCommand('/impact')).toEqual({ kind: 'run', full: false, refresh: false });
    expect(parseCommand('please\n  /impact FULL  ')).toEqual({ kind: 'run', full: true, refresh: false });
    expect(parseCommand('/impact refresh')).toEqual({ kind: 'run', full: false, refresh: true });
    expect(parseCommand('/impact help')).toEqual({ kind: 'help' });
    expect(parseCommand('/impact nuke')).toEqual({ kind: 'unknown', text: '/impact nuke' });
    expect(parseCommand('run /impact please')).toBeNull();
    expect(parseCommand('/impactful')).toBeNull();
  });
  it('redacts secret env values and PEM keys; errors become one line without a stack', () => {
    const env = { WEBHOOK_SECRET: 'hook-secret-1', SNOWFLAKE_PASSWORD: 'pw-123456', HOME: '/home/app' };
    expect(redactSecrets('a hook-secret-1 b pw-123456 /home/app', env)).toBe('a [redacted] b [redacted] /home/app');
    expect(redactSecrets('k: -----BEGIN RSA PRIVATE KEY-----\nabc\n-----END RSA PRIVATE KEY----- end', env)).toBe('k: [redacted] end');
    const err = new Error('connect failed pw-123456\n    at x (/app/a.js:1:1)');
    expect(safeErrorMessage(err, env)).toBe('connect failed [redacted]');
  });
});
