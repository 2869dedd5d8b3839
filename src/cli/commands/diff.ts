import { diffRelations } from '../../diff/diff.js';
import { formatDiffText } from '../../diff/format.js';
import { openWarehouse } from '../../warehouse/connect.js';
import { oneOf, parseCommandArgs, requireOption, UsageError } from '../args.js';

/** `impact-review diff`: compare two existing relations, like SQLMesh's table_diff. */
export async function diffCommand(argv: string[]): Promise<string> {
  const values = parseCommandArgs('diff', argv, {
    warehouse: { type: 'string' },
    base: { type: 'string' },
    head: { type: 'string' },
    'primary-key': { type: 'string' },
    format: { type: 'string' },
    sample: { type: 'string' },
  });
  const format = oneOf('diff', 'format', values.format, ['json', 'text'] as const, 'text');
  const url = requireOption('diff', values, 'warehouse');
  const base = requireOption('diff', values, 'base');
  const head = requireOption('diff', values, 'head');
  const primaryKey = values['primary-key']?.split(',').map((c) => c.trim()).filter(Boolean);
  const sampleRows = values.sample === undefined ? 0 : Number(values.sample);
  if (!Number.isInteger(sampleRows) || sampleRows < 0) throw new UsageError('diff: --sample must be a whole number of rows');
  const warehouse = await openWarehouse(url).catch((err: Error) => {
    throw new UsageError(`diff: ${err.message}`);
  });
  try {
    const diff = await diffRelations(warehouse, base, head, { primaryKey, sampleRows }).catch((err: Error) => {
      throw new UsageError(`diff: ${err.message}`);
    });
    return format === 'json' ? JSON.stringify(diff, null, 2) : formatDiffText(diff);
  } finally {
    await warehouse.close();
  }
}
