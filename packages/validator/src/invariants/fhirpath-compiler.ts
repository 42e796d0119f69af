import fhirpath from 'fhirpath';
import { isObject } from '@mes-fhir/core';
import { cachedChildOf, choiceIn, isType, itemPath, r4Model, type ChildCache } from './r4-model.js';

/**
 * A compiler of the FHIRPath that invariants mostly use (navigation, choices, exists/empty/not,
 * hasValue, matches, where, is/ofType, boolean logic, comparisons with an empty side) into plain
 * closures over the JSON, so that the common case never enters the fhirpath interpreter.
 *
 * It decides only where it is sure to agree with the fhirpath library: on anything else (a
 * primitive's `_name` extensions, nulls, a comparison of two values, a function it does not know,
 * reached at run time) it gives up with `undefined` and the caller asks the library. A
 * property-based test (fhirpath-compiler.test.ts) compares both on generated resources.
 */

/**
 * A JSON value with its FHIR type and the path of its definition in the R4 model (`Observation.component`,
 * or the type's name for a data type or a resource), from which its children are looked up.
 */
interface Item {
  v: unknown;
  t?: string;
  p?: string;
  /** A primitive whose `_name` companion (its id and extensions) was not seen: only the library may read it. */
  raw?: boolean;
}
type Coll = Item[];
interface Ctx {
  self: Coll;
  env: EvaluationEnv;
}
type Fn = (focus: Coll, ctx: Ctx) => Coll;
export interface EvaluationEnv {
  resource?: unknown;
  rootResource?: unknown;
}
/**
 * true: the invariant holds; false: it fails; undefined: not decided here. `path`: where the value
 * is defined in the R4 model (`Observation`, `Observation.component`, `Quantity`).
 */
export type InvariantCheck = (value: unknown, path: string | undefined, env: EvaluationEnv, companionChecked?: boolean) => boolean | undefined;
export type CompiledInvariant = InvariantCheck & {
  /** The same on a start already made (`startOf`), shared by the constraints of one element: fewer objects per value. */
  from: (start: EvaluationStart) => boolean | undefined;
};
/** Where an evaluation starts: the value as a collection, and the context ($this, %resource). */
export interface EvaluationStart {
  focus: Coll;
  ctx: Ctx;
}

/**
 * A check that asks a coded verdict first (coded-invariants.ts) on the value and its type at a
 * model path, then the closure compiled from the FHIRPath, if any; undefined still means the
 * library. (The selection tree asks both itself, on the type it already knows.)
 */
export function withCodedVerdict(
  coded: (value: unknown, type: string | undefined) => boolean | undefined,
  closure: CompiledInvariant | undefined,
): InvariantCheck {
  return (value, path, env, companionChecked = false) => {
    if (value === undefined) return undefined;
    const verdict = coded(value, startItem(value, path).t);
    return verdict !== undefined ? verdict : closure?.(value, path, env, companionChecked);
  };
}

/** The start of evaluations on a value whose `_name` companion was checked (see CompiledInvariant). */
export function startOf(value: unknown, path: string | undefined, env: EvaluationEnv): EvaluationStart {
  const focus: Coll = [startItem(value, path)];
  return { focus, ctx: { self: focus, env } };
}

interface AstNode {
  type: string;
  text?: string;
  children?: AstNode[];
}

class Unsure extends Error {}
const UNSURE = new Unsure();
const unsure = (): never => {
  throw UNSURE;
};

/** The start item of an evaluation at a model path (`Observation`, `Observation.component`, `Period`). */
function startItem(value: unknown, path: string | undefined): Item {
  if (path === undefined) path = isObject(value) && typeof value.resourceType === 'string' ? value.resourceType : undefined;
  if (path === undefined) return { v: value };
  if (!path.includes('.')) return { v: value, t: path, p: path };
  const type = r4Model.path2Type[path];
  return { v: value, t: type, p: itemPath(path, type, value) };
}
const DATE_LIKE = /^\d{4}(-\d{2})?(-\d{2})?(T|$)|^\d{2}:\d{2}/;

const compiled = new Map<string, CompiledInvariant | null>();

/** The closure of an invariant's FHIRPath, or undefined when its syntax is outside the subset. */
export function compileFhirPath(expression: string): CompiledInvariant | undefined {
  if (compiled.has(expression)) return compiled.get(expression) ?? undefined;
  let result: CompiledInvariant | null = null;
  try {
    const fn = compileNode(fhirpath.parse(expression) as AstNode);
    const from = (start: EvaluationStart) => {
      try {
        const out = fn(start.focus, start.ctx);
        return out.length === 1 && out[0]!.v === true;
      } catch (e) {
        if (e instanceof Unsure) return undefined;
        throw e;
      }
    };
    result = Object.assign(
      (value: unknown, path: string | undefined, env: EvaluationEnv, companionChecked = false) => {
        // a node with no JSON value (a primitive known only by its `_name` extensions): the library reads it
        if (value === undefined) return undefined;
        const first = startItem(value, path);
        if (!companionChecked) first.raw = true;
        const focus: Coll = [first];
        return from({ focus, ctx: { self: focus, env } });
      },
      { from },
    );
  } catch {
    result = null;
  }
  compiled.set(expression, result);
  return result ?? undefined;
}

function compileNode(node: AstNode): Fn {
  const kids = node.children ?? [];
  switch (node.type) {
    case 'EntireExpression':
    case 'TermExpression':
    case 'ParenthesizedTerm':
      return compileNode(kids[0]!);
    case 'InvocationTerm':
      return compileInvocation(kids[0]!, (focus) => focus);
    case 'InvocationExpression': {
      const left = compileNode(kids[0]!);
      return compileInvocation(kids[1]!, left);
    }
    case 'ExternalConstantTerm': {
      let constant: AstNode | undefined = kids[0];
      while (constant && constant.text === undefined && constant.children?.length === 1) constant = constant.children[0];
      const name = constant ? identifierOf(constant) : '';
      if (name === 'resource' || name === 'rootResource') {
        return (_focus, ctx) => {
          const r = name === 'resource' ? ctx.env.resource : ctx.env.rootResource;
          return r === undefined ? [] : [startItem(r, undefined)];
        };
      }
      if (name === 'ucum') return () => [{ v: 'http://unitsofmeasure.org', t: 'string' }];
      return unsure;
    }
    case 'LiteralTerm':
      return compileLiteral(kids[0]!);
    case 'AndExpression':
    case 'OrExpression':
    case 'ImpliesExpression':
      return compileLogic(node.type === 'ImpliesExpression' ? 'implies' : node.text!, compileNode(kids[0]!), compileNode(kids[1]!));
    case 'EqualityExpression':
      return compileEquality(node.text!, compileNode(kids[0]!), compileNode(kids[1]!));
    case 'InequalityExpression': {
      const [left, right] = [compileNode(kids[0]!), compileNode(kids[1]!)];
      const op = node.text!;
      return (focus, ctx) => {
        const a = left(focus, ctx);
        const b = right(focus, ctx);
        if (a.length === 0 || b.length === 0) return EMPTY;
        // numbers compare as numbers; dates, times and quantities are left to the library
        if (a.length === 1 && b.length === 1 && typeof a[0]!.v === 'number' && typeof b[0]!.v === 'number') {
          const [x, y] = [a[0]!.v as number, b[0]!.v as number];
          return boolColl(op === '<' ? x < y : op === '<=' ? x <= y : op === '>' ? x > y : x >= y);
        }
        return unsure();
      };
    }
    case 'MembershipExpression': {
      const [left, right] = [compileNode(kids[0]!), compileNode(kids[1]!)];
      const contains = node.text === 'contains';
      return (focus, ctx) => {
        const [collection, element] = contains ? [left(focus, ctx), right(focus, ctx)] : [right(focus, ctx), left(focus, ctx)];
        if (element.length === 0) return EMPTY;
        if (element.length > 1) return unsure();
        const wanted = element[0]!.v;
        return boolColl(collection.some((item) => sameValue(item.v, wanted)));
      };
    }
    case 'AdditiveExpression': {
      const [left, right] = [compileNode(kids[0]!), compileNode(kids[1]!)];
      const op = node.text;
      if (op !== '&' && op !== '+') return unsure;
      return (focus, ctx) => {
        const a = left(focus, ctx);
        const b = right(focus, ctx);
        // `+` on strings only (numbers and quantities add with FHIRPath's decimal rules): empty with an empty side; `&` reads empty as ''
        if (op === '+' && (a.length === 0 || b.length === 0)) return EMPTY;
        const x = a.length === 0 ? '' : a.length === 1 && typeof a[0]!.v === 'string' ? a[0]!.v : unsure();
        const y = b.length === 0 ? '' : b.length === 1 && typeof b[0]!.v === 'string' ? b[0]!.v : unsure();
        return [{ v: x + y, t: 'string' }];
      };
    }
    case 'TypeExpression': {
      if (node.text !== 'is') return unsure;
      const operand = compileNode(kids[0]!);
      const typeName = typeNameOf(kids[1]!);
      return (focus, ctx) => {
        const items = operand(focus, ctx);
        if (items.length === 0) return EMPTY;
        const is = items.length === 1 ? isType(items[0]!.t, typeName) : undefined;
        return is === undefined ? unsure() : boolColl(is);
      };
    }
    default:
      return unsure;
  }
}

function compileInvocation(node: AstNode, input: Fn): Fn {
  if (node.type === 'ThisInvocation') return (_focus, ctx) => ctx.self;
  if (node.type === 'MemberInvocation') {
    const name = identifierOf(node.children![0]!);
    const site: ChildCache = { name };
    return (focus, ctx) => member(input(focus, ctx), site);
  }
  if (node.type === 'FunctionInvocation') {
    const functn = node.children![0]!;
    const name = identifierOf(functn.children![0]!);
    const params = (functn.children![1]?.children ?? []).map(compileNode);
    const paramNodes = functn.children![1]?.children ?? [];
    return compileFunction(name, params, paramNodes, input);
  }
  return unsure;
}

function compileFunction(name: string, params: Fn[], paramNodes: AstNode[], input: Fn): Fn {
  const arity = params.length;
  switch (`${name}/${arity}`) {
    case 'exists/0':
      return (focus, ctx) => boolColl(input(focus, ctx).length > 0);
    case 'exists/1': {
      const where = filterBy(params[0]!);
      return (focus, ctx) => boolColl(where(input(focus, ctx), ctx).length > 0);
    }
    case 'empty/0':
      return (focus, ctx) => boolColl(input(focus, ctx).length === 0);
    case 'not/0':
      return (focus, ctx) => {
        const b = truth(input(focus, ctx));
        return b === undefined ? EMPTY : boolColl(!b);
      };
    case 'hasValue/0':
      return (focus, ctx) => {
        const items = input(focus, ctx);
        return boolColl(items.length === 1 && isPrimitive(items[0]!.v));
      };
    case 'count/0':
      return (focus, ctx) => [{ v: input(focus, ctx).length, t: 'integer' }];
    case 'where/1': {
      const where = filterBy(params[0]!);
      return (focus, ctx) => where(input(focus, ctx), ctx);
    }
    case 'matches/1': {
      const pattern = stringLiteralOf(paramNodes[0]!);
      if (pattern === undefined) return unsure;
      let regex: RegExp;
      try {
        regex = new RegExp(pattern, 'us');
      } catch {
        return unsure;
      }
      return (focus, ctx) => {
        const items = input(focus, ctx);
        if (items.length === 0) return EMPTY;
        if (items.length > 1 || typeof items[0]!.v !== 'string') return unsure();
        return boolColl(regex.test(items[0]!.v));
      };
    }
    case 'length/0':
      return (focus, ctx) => {
        const items = input(focus, ctx);
        if (items.length === 0) return EMPTY;
        if (items.length > 1 || typeof items[0]!.v !== 'string') return unsure();
        return [{ v: items[0]!.v.length, t: 'integer' }];
      };
    case 'toString/0':
      return (focus, ctx) => {
        const items = input(focus, ctx);
        if (items.length === 0) return EMPTY;
        // strings and the date/time types the JSON spells as the library prints them
        const t = items[0]!.t;
        if (items.length > 1 || typeof items[0]!.v !== 'string' || !(t === 'string' || t === 'code' || t === 'dateTime' || t === 'date' || t === 'uri'))
          return unsure();
        return [{ v: items[0]!.v, t: 'string' }];
      };
    case 'ofType/1': {
      const typeName = typeNameOf(paramNodes[0]!);
      return (focus, ctx) => {
        const items = input(focus, ctx);
        return items.filter((i) => isType(i.t, typeName) ?? unsure());
      };
    }
    case 'all/1': {
      const criteria = params[0]!;
      return (focus, ctx) => boolColl(input(focus, ctx).every((item) => truth(criteria([item], { self: [item], env: ctx.env })) === true));
    }
    case 'select/1': {
      const projection = params[0]!;
      return (focus, ctx) => input(focus, ctx).flatMap((item) => projection([item], { self: [item], env: ctx.env }));
    }
    case 'contains/1': {
      const param = params[0]!;
      return (focus, ctx) => {
        const items = input(focus, ctx);
        const sub = param(focus, ctx);
        if (items.length === 0 || sub.length === 0) return EMPTY;
        if (items.length > 1 || sub.length > 1 || typeof items[0]!.v !== 'string' || typeof sub[0]!.v !== 'string') return unsure();
        return boolColl(items[0]!.v.includes(sub[0]!.v));
      };
    }
    case 'isDistinct/0':
      return (focus, ctx) => {
        const items = input(focus, ctx);
        if (!items.every((i) => isPrimitive(i.v) && !(typeof i.v === 'string' && DATE_LIKE.test(i.v)))) return unsure();
        return boolColl(new Set(items.map((i) => `${typeof i.v}:${String(i.v)}`)).size === items.length);
      };
    case 'trace/1':
    case 'trace/2':
      return input;
    default:
      // reached only when evaluated: `where(coding.intersect(…))` on no item never gets here
      return unsure;
  }
}

/** `where(criteria)`: the items for which the criteria is true ($this is each item). */
function filterBy(criteria: Fn): (items: Coll, ctx: Ctx) => Coll {
  return (items, ctx) =>
    items.filter((item) => {
      const self = [item];
      return truth(criteria(self, { self, env: ctx.env })) === true;
    });
}

/** Navigation to a child, by the R4 model: arrays flattened, a choice found by its typed names; what only the library reads gives up. */
function member(items: Coll, site: ChildCache): Coll {
  const name = site.name;
  const out: Coll = [];
  for (const { v, p, raw } of items) {
    if (!isObject(v)) {
      // a primitive's id and extensions live in its `_name` companion: known absent, it has no children
      if (raw) unsure();
      continue;
    }
    if (v.resourceType === name) {
      out.push({ v, t: name, p: name });
      continue;
    }
    if (p === undefined) return unsure();
    const child = cachedChildOf(site, p);
    if (child.choices) {
      const found = choiceIn(v, child);
      if (found === undefined) unsure();
      if (found) push(out, found.value, child.path, found.type);
      continue;
    }
    if (v[child.companion] !== undefined) unsure();
    // an element the model does not know: the library knows it no better, but reports it its own way
    if (child.type === undefined) return unsure();
    const value = v[name];
    if (value !== undefined) push(out, value, child.path, child.type);
  }
  return out;
}

function push(out: Coll, value: unknown, path: string, type: string): void {
  if (!Array.isArray(value)) pushItem(out, value, path, type);
  else for (let i = 0; i < value.length; i++) pushItem(out, value[i], path, type);
}

function pushItem(out: Coll, x: unknown, path: string, type: string): void {
  if (x === null || x === undefined) unsure();
  const t = type === 'Resource' && isObject(x) && typeof x.resourceType === 'string' ? x.resourceType : type;
  out.push({ v: x, t, p: itemPath(path, type, x) });
}

function compileLogic(op: string, left: Fn, right: Fn): Fn {
  return (focus, ctx) => {
    const a = truth(left(focus, ctx));
    if (op === 'and' && a === false) return boolColl(false);
    if (op === 'or' && a === true) return boolColl(true);
    if (op === 'implies' && a === false) return boolColl(true);
    const b = truth(right(focus, ctx));
    let r: boolean | undefined;
    if (op === 'and') r = b === false ? false : a === true && b === true ? true : undefined;
    else if (op === 'or') r = b === true ? true : a === false && b === false ? false : undefined;
    else if (op === 'xor') r = a === undefined || b === undefined ? undefined : a !== b;
    else if (op === 'implies') r = a === true ? b : b === true ? true : undefined;
    else return unsure();
    return r === undefined ? EMPTY : boolColl(r);
  };
}

function compileEquality(op: string, left: Fn, right: Fn): Fn {
  if (op !== '=' && op !== '!=') return unsure;
  return (focus, ctx) => {
    const a = left(focus, ctx);
    const b = right(focus, ctx);
    if (a.length === 0 || b.length === 0) return EMPTY;
    let equal = a.length === b.length;
    for (let i = 0; equal && i < a.length; i++) equal = sameValue(a[i]!.v, b[i]!.v);
    return boolColl(op === '=' ? equal : !equal);
  };
}

function compileLiteral(node: AstNode): Fn {
  const text = node.text ?? '';
  switch (node.type) {
    case 'BooleanLiteral':
      return () => boolColl(text === 'true');
    case 'StringLiteral': {
      const s = stringLiteralOf(node);
      return s === undefined ? unsure : () => [{ v: s, t: 'string' }];
    }
    case 'NumberLiteral': {
      const n = Number(text);
      return /^\d+$/.test(text) ? () => [{ v: n, t: 'integer' }] : unsure;
    }
    case 'NullLiteral':
      return () => EMPTY;
    default:
      return unsure;
  }
}

/** FHIRPath's boolean reading of a collection: empty, or a single boolean; else the library decides. */
function truth(items: Coll): boolean | undefined {
  if (items.length === 0) return undefined;
  if (items.length === 1 && typeof items[0]!.v === 'boolean') return items[0]!.v;
  return unsure();
}

const TRUE: Item = { v: true, t: 'boolean' };
const FALSE: Item = { v: false, t: 'boolean' };
// Shared results: no closure changes a collection it is given (each builds a new one), so these are never written to.
const TRUE_COLL: Coll = [TRUE];
const FALSE_COLL: Coll = [FALSE];
const EMPTY: Coll = [];
const boolColl = (b: boolean): Coll => (b ? TRUE_COLL : FALSE_COLL);
/**
 * FHIRPath equality of two JSON primitives where it is plain: dates compare by instant and precision,
 * objects member by member, and both are left to the library.
 */
function sameValue(x: unknown, y: unknown): boolean {
  if (!isPrimitive(x) || !isPrimitive(y) || (typeof x === 'string' && DATE_LIKE.test(x)) || (typeof y === 'string' && DATE_LIKE.test(y))) return unsure();
  return x === y;
}
const isPrimitive = (v: unknown) => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';

function identifierOf(node: AstNode): string {
  const text = node.text ?? '';
  return text.startsWith('`') ? text.slice(1, -1) : text;
}

/** `dateTime`, `FHIR.Quantity` (a type specifier, or the single identifier of a parameter); System types never match here. */
function typeNameOf(node: AstNode): string {
  let n: AstNode | undefined = node;
  while (n && n.text === undefined && n.children?.length === 1) n = n.children[0];
  const text = (n?.text ?? '').replace(/`/g, '');
  if (text.startsWith('System.')) return '\u0000';
  return text.startsWith('FHIR.') ? text.slice(5) : text;
}

/** A string literal's value when it has no escape sequence (found anywhere below the node). */
function stringLiteralOf(node: AstNode): string | undefined {
  if (node.type === 'StringLiteral') {
    const text = node.text ?? '';
    return text.includes('\\') ? undefined : text.slice(1, -1);
  }
  return node.children?.length === 1 ? stringLiteralOf(node.children[0]!) : undefined;
}
