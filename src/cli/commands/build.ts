import { buildProject } from '../../build/production.js';
import { renderTemplate } from '../../report/templates.js';
import { openWarehouse } from '../../warehouse/connect.js';
import { parseCommandArgs, parseVars, requireOption, UsageError } from '../args.js';
import { loadProjectInput, selectIds } from '../project-input.js';

/** `impact-review build`: materialise seeds and models into the warehouse in DAG order, as `dbt run` would. */
export async function buildCommand(argv: string[]): Promise<string> {
  const values = parseCommandArgs('build', argv, {
    project: { type: 'string' },
    warehouse: { type: 'string' },
    select: { type: 'string', short: 's' },
    exclude: { type: 'string' },
    vars: { type: 'string' },
    schema: { type: 'string' },
  });
  const url = requireOption('build', values, 'warehouse');
  const warehouse = await openWarehouse(url).catch((err: Error) => {
    throw new UsageError(`build: ${err.message}`);
  });
  try {
    const project = await loadProjectInput('build', {
      project: values.project,
      vars: await parseVars('build', values.vars),
      target: { type: warehouse.type, database: warehouse.database, schema: values.schema ?? 'main' },
    });
    const ids = selectIds('build', project, values.select, values.exclude);
    const result = await buildProject(project, warehouse, ids, (message) => process.stderr.write(`${message}\n`));
    const output = renderTemplate('cli/build.txt.hbs', { ...result, project: project.name });
    if (result.failed.length) {
      process.exitCode = 1;
    }
    return output;
  } finally {
    await warehouse.close();
  }
}
