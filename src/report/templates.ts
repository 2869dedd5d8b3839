import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Handlebars from 'handlebars';
import { formatBytes, formatCount } from './format.js';

/** The package root: found by walking up from this file, so it works from src/ (tests) and dist/src/ (built). */
function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) || !existsSync(join(dir, 'templates'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('impact-review: cannot find the templates/ folder next to package.json');
    dir = up;
  }
  return dir;
}

/** The installed package's root folder (holds templates/ and examples/). */
export const packageDir = packageRoot();
export const templatesDir = join(packageDir, 'templates');

const hbs = Handlebars.create();
hbs.registerHelper('join', (list: unknown, sep: unknown) => (Array.isArray(list) ? list.join(typeof sep === 'string' ? sep : ', ') : ''));
hbs.registerHelper('eq', (a: unknown, b: unknown) => a === b);
hbs.registerHelper('pad', (value: unknown, width: unknown) => String(value ?? '').padEnd(typeof width === 'number' ? width : 0));
hbs.registerHelper('bytes', (value: unknown) => formatBytes(value));
hbs.registerHelper('count', (value: unknown) => formatCount(value));

const cache = new Map<string, Handlebars.TemplateDelegate>();

/** Renders templates/<name> with data. Every piece of text a user reads lives in templates/. */
export function renderTemplate(name: string, data: unknown): string {
  let template = cache.get(name);
  if (!template) {
    template = hbs.compile(readFileSync(join(templatesDir, name), 'utf8'), { noEscape: !name.endsWith('.html.hbs') });
    cache.set(name, template);
  }
  return template(data);
}

export { hbs as handlebars };
