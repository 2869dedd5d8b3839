import type { BuiltinMacro } from '../types.js';
import { crossDbMacros } from './cross-db.js';
import { dbtUtilsMacros } from './dbt-utils.js';

/**
 * Macros implemented natively, by namespace. The renderer uses one only where no macro source of
 * that name exists in the project or its installed packages; `dbt` entries are also callable
 * unqualified, as dbt's global macros are.
 */
export const builtinMacros: Record<string, Record<string, BuiltinMacro>> = {
  dbt: crossDbMacros,
  dbt_utils: dbtUtilsMacros,
};

export { BuiltinArgumentError } from './args.js';
export { dialectFor, type Dialect, type DialectName } from './dialect.js';
export { slugify } from './dbt-utils.js';
