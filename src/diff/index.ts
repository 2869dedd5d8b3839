/** The diff engine's public surface: `diffRelations` plus its types and renderers. */
export { diffRelations, DEFAULT_DISTRIBUTION_MAX_DISTINCT, DEFAULT_HISTOGRAM_BINS } from './diff.js';
export { formatDiffText, formatDiffJson } from './format.js';
export { PRIMARY_KEY_HINT } from './values.js';
export * from './types.js';
