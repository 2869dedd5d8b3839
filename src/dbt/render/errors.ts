/** Control flow and error shapes shared by the renderer's parts. */

/** Thrown by `return(value)`; the macro wrapper catches it and makes the call evaluate to `value`. */
export class ReturnSignal {
  constructor(readonly value: unknown) {}
}

/** `exceptions.raise_compiler_error` and every dbt-level failure (missing ref, var, env_var). */
export class CompilerError extends Error {
  override name = 'CompilerError';
}

/** Marks an error already annotated with the macro it came from, so outer macros leave it alone. */
const ANNOTATED = Symbol('annotated');

/** Strips nunjucks' `(unknown path) [Line 3, Column 5]\n  Error: ` framing, returning the message and line. */
export function describeError(error: unknown): { message: string; line?: number } {
  const raw = error instanceof Error ? error.message : String(error);
  const loc = /\[Line (\d+), Column (\d+)\]/.exec(raw);
  let message = raw.replace(/^\([^)]*\)(?: \[Line \d+, Column \d+\])?\s*/, '');
  message = message.replace(/^(?:Template render error: )?(?:\([^)]*\)\s*)?/, '');
  message = message.replace(/^(?:Error|CompilerError|TypeError|ReferenceError|Template render error): /, '');
  message = message.replace(/^\([^)]*\)(?: \[Line \d+, Column \d+\])?\s*/, '').replace(/^(?:Error|CompilerError|TypeError): /, '');
  // JavaScript's own limits, in words that point at the template.
  if (/Maximum call stack size exceeded/.test(message)) message = 'recursion too deep (a macro that calls itself without end?)';
  else if (/Invalid string length|Invalid array length/.test(message)) message = 'built a string or list larger than the renderer allows';
  const line = loc ? Number(loc[1]) : undefined;
  return line !== undefined && line > 0 ? { message: message.trim(), line } : { message: message.trim() };
}

/**
 * Re-throws an error raised inside a macro as a plain Error naming the macro (and the line in the
 * macro's file), without a line of its own, so the template that called it reports the call's line.
 */
export function annotateMacroError(error: unknown, macroId: string, file: string): Error {
  if (error instanceof Error && (error as unknown as Record<symbol, boolean>)[ANNOTATED]) return error;
  const { message, line } = describeError(error);
  const where = line !== undefined ? `${file}:${line}` : file;
  const wrapped = error instanceof CompilerError ? new CompilerError(`${message} (in macro ${macroId}, ${where})`) : new Error(`${message} (in macro ${macroId}, ${where})`);
  (wrapped as unknown as Record<symbol, boolean>)[ANNOTATED] = true;
  return wrapped;
}
