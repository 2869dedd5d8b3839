import { renderTemplate } from '../report/templates.js';
import { UsageError } from './args.js';
import { buildCommand } from './commands/build.js';
import { analyzeCommand } from './commands/analyze.js';
import { compileCommand } from './commands/compile.js';
import { demoCommand } from './commands/demo.js';
import { diffCommand } from './commands/diff.js';
import { lineageCommand } from './commands/lineage.js';

type Command = (argv: string[]) => Promise<string>;

const commands: Record<string, Command> = {
  lineage: lineageCommand,
  compile: compileCommand,
  build: buildCommand,
  diff: diffCommand,
  analyze: analyzeCommand,
  demo: demoCommand,
};

/** Runs one command; returns the process exit code. Output goes to stdout, progress and errors to stderr. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    process.stdout.write(renderTemplate('cli/help.txt.hbs', {}));
    return name ? 0 : 2;
  }
  const command = commands[name];
  if (!command) {
    process.stderr.write(`impact-review: unknown command "${name}" (try: impact-review help)\n`);
    return 2;
  }
  try {
    const output = await command(rest);
    process.stdout.write(output.endsWith('\n') ? output : `${output}\n`);
    return 0;
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`impact-review ${err.message}\n`);
      return 2;
    }
    throw err;
  }
}

