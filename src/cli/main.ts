#!/usr/bin/env node
import { main } from './run.js';

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    // One line: a stack trace helps nobody reading a CI log and may carry more than it should.
    // IMPACT_REVIEW_DEBUG=1 prints it for whoever is debugging the tool itself.
    const message = err instanceof Error ? err.message : String(err);
    const detail = process.env.IMPACT_REVIEW_DEBUG && err instanceof Error && err.stack ? err.stack : (message.split('\n').find((l) => l.trim() !== '') ?? 'unknown error');
    process.stderr.write(`impact-review: ${detail}\n`);
    process.exitCode = 1;
  },
);
