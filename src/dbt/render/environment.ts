/**
 * The nunjucks environment dbt templates render in: Jinja compatibility patches (installed once
 * per process, since nunjucks keeps its compiler and runtime as module singletons), the tags dbt
 * adds (`do`, `docs`, `materialization`, `snapshot`), and Jinja's filters and tests that nunjucks
 * lacks.
 */
import nunjucks from 'nunjucks';
import { createHash } from 'node:crypto';
import { addTime, pySub } from './modules.js';
import { UNSAFE_NAMES, makeMemberLookup, pyMod, pyPercent, pyAdd, pyBool, pyConcat, pyMul, pyStr, isPlainObject } from './python.js';

// nunjucks' internals are untyped JavaScript; these shapes are the few members we touch.
interface NjNode {
  typename: string;
  lineno: number;
  colno: number;
  [field: string]: unknown;
}
interface NjCompiler {
  _emit(code: string): void;
  compile(node: unknown, frame: unknown): void;
  _compileExpression(node: unknown, frame: unknown): void;
}
type CompileFn = (this: NjCompiler, node: NjNode, frame: unknown, async?: boolean) => void;
interface NjParser {
  nextToken(): { value: string; lineno: number; colno: number };
  parseExpression(): unknown;
  parseSignature(tolerant: boolean | null, noParens: boolean): unknown;
  parseUntilBlocks(...names: string[]): unknown;
  advanceAfterBlockEnd(name?: string): void;
}
interface NjNodes {
  Node: { extend(name: string, props: Record<string, unknown>): new (lineno: number, colno: number, ...fields: unknown[]) => NjNode };
  CallExtension: new (ext: unknown, prop: string, args: unknown, contentArgs: unknown[] | null) => unknown;
  NodeList: new (lineno: number, colno: number, children: unknown[]) => unknown;
}

const nj = nunjucks as unknown as {
  runtime: Record<string, unknown>;
  compiler: { Compiler: { prototype: Record<string, unknown> } };
  nodes: NjNodes;
  installJinjaCompat(): void;
};

let patched = false;

/** Applies the process-wide Jinja patches to nunjucks' compiler and runtime. Idempotent. */
export function installPatches(): void {
  if (patched) return;
  patched = true;
  nj.installJinjaCompat();
  const runtime = nj.runtime;
  const compatLookup = runtime.memberLookup as (obj: unknown, val: unknown, ...rest: unknown[]) => unknown;
  runtime.memberLookup = makeMemberLookup(compatLookup);
  // Names inherited from Object.prototype (`constructor`, `__proto__`) are not variables.
  const frameLookup = runtime.contextOrFrameLookup as (context: unknown, frame: unknown, name: string) => unknown;
  runtime.contextOrFrameLookup = (context: unknown, frame: unknown, name: string): unknown =>
    UNSAFE_NAMES.has(name) ? undefined : frameLookup(context, frame, name);
  runtime.suppressValue = (val: unknown): unknown => {
    if (val === undefined) return '';
    if (typeof val === 'string' || val instanceof nunjucks.runtime.SafeString) return val;
    return pyStr(val);
  };
  runtime.pyBool = pyBool;
  runtime.pyAdd = (a: unknown, b: unknown): unknown => addTime(a, b) ?? pyAdd(a, b);
  runtime.pySub = pySub;
  runtime.pyMacroKwargs = (kwargs: Record<string, unknown>, declared: string[]): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(kwargs)) if (k !== '__keywords' && k !== 'caller' && !declared.includes(k)) out[k] = v;
    return out;
  };
  runtime.pyDict = (pairs: [unknown, unknown][]): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    for (const [k, v] of pairs) out[pyStr(k)] = v;
    return out;
  };
  runtime.pyMod = pyMod;
  // Runtime errors carry nunjucks' 0-based line (and none at all on line 1); report 1-based like parse errors.
  const lib = (nunjucks as unknown as { lib: { TemplateError: new (e: unknown, l: number, c: number) => Error } }).lib;
  runtime.handleError = (error: unknown, lineno: number, colno: number): unknown =>
    error !== null && typeof error === 'object' && (error as { lineno?: number }).lineno ? error : new lib.TemplateError(error, lineno + 1, colno + 1);
  runtime.pyMul = pyMul;
  runtime.pyConcat = pyConcat;
  runtime.pyAnd = (a: unknown, b: () => unknown): unknown => (pyBool(a) ? b() : a);
  runtime.pyOr = (a: unknown, b: () => unknown): unknown => (pyBool(a) ? a : b());

  const proto = nj.compiler.Compiler.prototype;
  const nodes = nj.nodes;
  const PyBool = nodes.Node.extend('PyBool', { fields: ['target'] });
  const origAssert = proto.assertType as (this: NjCompiler, node: unknown, ...types: unknown[]) => void;
  proto.assertType = function assertType(this: NjCompiler, node: unknown, ...types: unknown[]) {
    if (node instanceof PyBool) return;
    origAssert.call(this, node, ...types);
  };
  const call = (fn: string, args: string[]): CompileFn =>
    function (this: NjCompiler, node: NjNode, frame: unknown) {
      this._emit(`runtime.${fn}(`);
      args.forEach((field, i) => {
        if (i > 0) this._emit(', ');
        this.compile(node[field], frame);
      });
      this._emit(')');
    };
  proto.compilePyBool = call('pyBool', ['target']);
  proto.compileAdd = call('pyAdd', ['left', 'right']);
  proto.compileMul = call('pyMul', ['left', 'right']);
  proto.compileSub = call('pySub', ['left', 'right']);
  proto.compileMod = call('pyMod', ['left', 'right']);
  proto.compileConcat = call('pyConcat', ['left', 'right']);
  const lazy = (fn: string): CompileFn =>
    function (this: NjCompiler, node: NjNode, frame: unknown) {
      this._emit(`runtime.${fn}(`);
      this.compile(node.left, frame);
      this._emit(', function () { return ');
      this.compile(node.right, frame);
      this._emit('; })');
    };
  proto.compileAnd = lazy('pyAnd');
  proto.compileOr = lazy('pyOr');
  proto.compileNot = function (this: NjCompiler, node: NjNode, frame: unknown) {
    this._emit('!runtime.pyBool(');
    this.compile(node.target, frame);
    this._emit(')');
  };
  const wrapCond = (original: CompileFn): CompileFn =>
    function (this: NjCompiler, node: NjNode, frame: unknown, async?: boolean) {
      if (!(node.cond instanceof PyBool)) node.cond = new PyBool(node.lineno, node.colno, node.cond);
      original.call(this, node, frame, async);
    };
  proto.compileIf = wrapCond(proto.compileIf as CompileFn);
  // Jinja macros see undeclared keyword arguments as `kwargs` (dbt_utils' generic tests rely on it).
  // nunjucks emits the macro prologue in one _emitLines call; add the binding right after it.
  const origCompileMacro = proto._compileMacro as (this: NjCompiler & Record<string, unknown>, node: NjNode, frame: unknown) => string;
  const emitLines = proto._emitLines as (this: NjCompiler, ...lines: string[]) => void;
  proto._compileMacro = function (this: NjCompiler & Record<string, unknown>, node: NjNode, frame: unknown): string {
    const declared = ((node.args as NjNode).children as NjNode[]).flatMap((arg) =>
      arg.typename === 'Dict' ? (arg.children as NjNode[]).map((pair) => String((pair.key as NjNode).value)) : [String(arg.value)],
    );
    this._emitLines = function (this: NjCompiler & Record<string, unknown>, ...lines: string[]) {
      const at = lines.indexOf('kwargs = kwargs || {};');
      if (at >= 0) {
        lines.splice(at + 1, 0, `frame.set("kwargs", runtime.pyMacroKwargs(kwargs, ${JSON.stringify(declared)}));`, 'frame.set("varargs", []);');
        delete this._emitLines;
      }
      emitLines.apply(this, lines);
    };
    try {
      return origCompileMacro.call(this, node, frame);
    } finally {
      if (Object.prototype.hasOwnProperty.call(this, '_emitLines')) delete this._emitLines;
    }
  };
  // The callee's source text is emitted into a JS string for error messages; a string literal with
  // a newline in it (`'...'.format(x)` spanning lines) would break the generated code.
  const origNodeName = proto._getNodeName as (this: NjCompiler, node: unknown) => string;
  proto._getNodeName = function (this: NjCompiler, node: unknown): string {
    return origNodeName.call(this, node).replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\u2028|\u2029/g, ' ');
  };
  // Jinja dict literals evaluate their keys (`{key.lower(): v}`); nunjucks only allows names and strings.
  proto.compileDict = function (this: NjCompiler, node: NjNode, frame: unknown) {
    const keywords = node.typename === 'KeywordArgs';
    this._emit('runtime.pyDict([');
    (node.children as NjNode[]).forEach((pair, i) => {
      if (i > 0) this._emit(',');
      this._emit('[');
      const key = pair.key as NjNode;
      if (keywords && key.typename === 'Symbol') this._emit(JSON.stringify(key.value));
      else this._compileExpression(key, frame);
      this._emit(',');
      this._compileExpression(pair.value, frame);
      this._emit(']');
    });
    this._emit('])');
  };
  // A parenthesised tuple `('a', 1)` would otherwise compile to JavaScript's comma operator.
  const aggregate = proto._compileAggregate as (this: NjCompiler, node: NjNode, frame: unknown, open: string, close: string) => void;
  const origGroup = proto.compileGroup as CompileFn;
  proto.compileGroup = function (this: NjCompiler, node: NjNode, frame: unknown) {
    if ((node.children as unknown[]).length > 1) aggregate.call(this, node, frame, '[', ']');
    else origGroup.call(this, node, frame);
  };
  // `{% for x in xs if cond %}` parses as an inline if without else; Jinja means a loop filter.
  // Filtering inside the body keeps the items right (loop.index/loop.last still count skipped ones).
  const NodeIf = (nodes as unknown as { If: new (l: number, c: number, cond: unknown, body: unknown, else_: unknown) => NjNode }).If;
  for (const name of ['compileFor', 'compileAsyncEach', 'compileAsyncAll']) {
    const original = proto[name] as CompileFn | undefined;
    if (typeof original !== 'function') continue;
    proto[name] = function (this: NjCompiler, node: NjNode, frame: unknown, async?: boolean) {
      const arr = node.arr as NjNode | undefined;
      if (arr && arr.typename === 'InlineIf' && arr.else_ === null) {
        node.arr = arr.body;
        node.body = new NodeIf(arr.lineno, arr.colno, arr.cond, node.body, null);
      }
      original.call(this, node, frame, async);
    };
  }
  if (typeof proto.compileIfAsync === 'function') proto.compileIfAsync = wrapCond(proto.compileIfAsync as CompileFn);
  proto.compileInlineIf = wrapCond(proto.compileInlineIf as CompileFn);
}

/** `{% do expr %}`: evaluates an expression for its side effect. */
class DoExtension {
  tags = ['do'];
  parse(parser: NjParser, nodes: NjNodes): unknown {
    const tok = parser.nextToken();
    const expr = parser.parseExpression();
    parser.advanceAfterBlockEnd(tok.value);
    return new nodes.CallExtension(this, 'run', new nodes.NodeList(tok.lineno, tok.colno, [expr]), null);
  }
  run(): string {
    return '';
  }
}

/**
 * dbt's block tags. A snapshot renders its inner SELECT; docs and materialization blocks are
 * parsed (so their syntax is checked) but produce nothing in a model's SQL.
 */
class BlockExtension {
  tags: string[];
  constructor(private readonly tag: string, private readonly renderBody: boolean) {
    this.tags = [tag];
  }
  parse(parser: NjParser, nodes: NjNodes): unknown {
    const tok = parser.nextToken();
    const args = parser.parseSignature(null, true);
    parser.advanceAfterBlockEnd(tok.value);
    const body = parser.parseUntilBlocks(`end${this.tag}`);
    parser.advanceAfterBlockEnd();
    return new nodes.CallExtension(this, 'run', args, [body]);
  }
  run(...all: unknown[]): string {
    const body = all[all.length - 1];
    return this.renderBody && typeof body === 'function' ? String((body as () => unknown)()) : '';
  }
}

type Test = (value: unknown, ...args: unknown[]) => boolean;

function attr(obj: unknown, path: string): unknown {
  let cur: unknown = obj;
  for (const part of path.split('.')) {
    if (cur === null || cur === undefined) return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

function toList(value: unknown): unknown[] {
  if (Array.isArray(value)) return value;
  if (typeof value === 'string') return [...value];
  if (isPlainObject(value)) return Object.keys(value);
  if (value && typeof value === 'object' && Symbol.iterator in value) return [...(value as Iterable<unknown>)];
  return [];
}

function asNative(value: unknown): unknown {
  if (typeof value !== 'string' && !(value instanceof nunjucks.runtime.SafeString)) return value;
  const s = value.toString().trim();
  if (s === 'True' || s === 'true') return true;
  if (s === 'False' || s === 'false') return false;
  if (s === 'None') return null;
  if (/^-?\d+$/.test(s)) return Number.parseInt(s, 10);
  if (/^-?\d*\.\d+(e-?\d+)?$/i.test(s)) return Number(s);
  return value.toString();
}

export { asNative };

export function createEnvironment(): nunjucks.Environment {
  installPatches();
  const env = new nunjucks.Environment([], { autoescape: false, throwOnUndefined: false });
  env.addExtension('do', new DoExtension());
  env.addExtension('snapshot', new BlockExtension('snapshot', true));
  env.addExtension('docs', new BlockExtension('docs', false));
  env.addExtension('materialization', new BlockExtension('materialization', false));

  const tests: Record<string, Test> = {
    none: (v) => v === null || v === undefined,
    boolean: (v) => typeof v === 'boolean',
    true: (v) => v === true,
    false: (v) => v === false,
    integer: (v) => typeof v === 'number' && Number.isInteger(v),
    float: (v) => typeof v === 'number' && !Number.isInteger(v),
    sequence: (v) => Array.isArray(v) || typeof v === 'string',
    in: (v, seq) => (Array.isArray(seq) || typeof seq === 'string' ? seq.includes(v as string) : isPlainObject(seq) ? String(v) in seq : false),
  };
  // addTest/getTest exist at runtime but are missing from @types/nunjucks.
  const testable = env as unknown as { addTest(name: string, fn: Test): void; getTest(name: string): Test };
  for (const [name, fn] of Object.entries(tests)) testable.addTest(name, fn);

  const runTest = (value: unknown, name: unknown, args: unknown[]): boolean => {
    if (name === undefined) return pyBool(value);
    const test = testable.getTest(String(name));
    return Boolean(test.call(undefined, value, ...args));
  };
  const filters: Record<string, (...args: never[]) => unknown> = {
    map: (seq: unknown, ...raw: unknown[]) => {
      const last = raw[raw.length - 1] as Record<string, unknown> | undefined;
      if (last && typeof last === 'object' && '__keywords' in last && typeof last.attribute === 'string') {
        return toList(seq).map((item) => attr(item, last.attribute as string) ?? last.default);
      }
      const [name, ...args] = raw;
      const filter = env.getFilter(String(name)) as unknown as (...a: unknown[]) => unknown;
      return toList(seq).map((item) => filter(item, ...args));
    },
    selectattr: (seq: unknown, name: string, test?: string, ...args: unknown[]) =>
      toList(seq).filter((item) => runTest(attr(item, name), test, args)),
    rejectattr: (seq: unknown, name: string, test?: string, ...args: unknown[]) =>
      toList(seq).filter((item) => !runTest(attr(item, name), test, args)),
    select: (seq: unknown, test?: string, ...args: unknown[]) => toList(seq).filter((item) => runTest(item, test, args)),
    reject: (seq: unknown, test?: string, ...args: unknown[]) => toList(seq).filter((item) => !runTest(item, test, args)),
    unique: (seq: unknown) => [...new Set(toList(seq))],
    min: (seq: unknown) => toList(seq).reduce((a, b) => ((b as number) < (a as number) ? b : a)),
    max: (seq: unknown) => toList(seq).reduce((a, b) => ((b as number) > (a as number) ? b : a)),
    items: (obj: unknown) => (isPlainObject(obj) ? Object.entries(obj) : []),
    count: (seq: unknown) => toList(seq).length,
    list: (seq: unknown) => toList(seq),
    tojson: (v: unknown) => new nunjucks.runtime.SafeString(JSON.stringify(v ?? null)),
    as_bool: (v: unknown) => asNative(v),
    as_number: (v: unknown) => asNative(v),
    as_native: (v: unknown) => asNative(v),
    as_text: (v: unknown) => (v === undefined ? '' : pyStr(v)),
    string: (v: unknown) => pyStr(v),
    bool: (v: unknown) => pyBool(v),
    format: (fmt: unknown, ...args: unknown[]) => pyPercent(pyStr(fmt), args.length === 1 && isPlainObject(args[0]) ? args[0] : args),
    md5: (v: unknown) => createHash('md5').update(pyStr(v)).digest('hex'),
  };
  for (const [name, fn] of Object.entries(filters)) env.addFilter(name, fn as (...args: unknown[]) => unknown);
  return env;
}
