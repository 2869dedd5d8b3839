import { describe, expect, test } from '@jest/globals';
import { escapeCell, escapeText, formatPoints, formatSignedPercent, formatSignedUsd, formatUsd, inlineCode } from '../../../src/report/format.js';
import { renderReview } from '../../../src/report/render.js';
import { pr1Assessment } from '../../support/assessments/pr1-cltv.js';

describe('number formats', () => {
  test('currency, signed deltas and points', () => {
    expect(formatUsd(53012818.76)).toBe('$53,012,818.76');
    expect(formatUsd(0.0021)).toBe('$0.0021');
    expect(formatSignedUsd(-1234.5)).toBe('−$1,234.50');
    expect(formatSignedUsd(0.15)).toBe('+$0.15');
    expect(formatSignedPercent(-78.81)).toBe('−78.8%');
    expect(formatPoints(-0.04)).toBe('0.0 pts');
    expect(formatPoints(7.05)).toBe('+7.1 pts');
  });
});

describe('escaping user text', () => {
  test('pipes, HTML and mentions', () => {
    expect(escapeCell('a|b <img src=x>\nnext')).toBe('a\\|b &lt;img src=x&gt; next');
    expect(escapeText('ping @octocat, mail a@b.example')).toBe('ping @\u200boctocat, mail a@b.example');
    expect(inlineCode('x `y` z')).toBe('``x `y` z``');
  });
  test('a description with a pipe and HTML cannot break the review', () => {
    const a = pr1Assessment();
    a.models[0].columns[0].description = 'id | <details><summary>x</summary>';
    a.exposures[0].owner = 'Finance | <b>Team</b>';
    const review = renderReview(a);
    expect(review).toContain('id | &lt;details&gt;&lt;summary&gt;x&lt;/summary&gt;');
    expect(review).toContain('| Finance \\| &lt;b&gt;Team&lt;/b&gt; |');
    expect((review.match(/<details>/g) ?? []).length).toBe((review.match(/<\/details>/g) ?? []).length);
  });
});
