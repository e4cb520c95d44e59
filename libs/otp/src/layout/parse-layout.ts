import { parseDocument, visit, type Document } from 'yaml';
import { LayoutValidationError } from './errors.js';
import { type Layout } from './types.js';
import { validateLayout } from './validate-layout.js';

/** The text formats a layout file may use. */
export type LayoutFormat = 'yaml' | 'json';

/**
 * How far aliases may expand (yaml's `maxAliasCount`: it grows with the nodes each alias copies).
 * A layout has no use for more; an alias bomb of a few hundred bytes would otherwise expand to
 * millions of nodes.
 */
const MAX_ALIAS_COUNT = 100;

/**
 * Parses a layout file and validates it (see validateLayout). When `format` is omitted, text whose
 * first non-blank character is `{` is read as JSON, anything else as YAML. YAML integers beyond
 * 2^53 keep full precision (for u64/i64 constants); in JSON write them as decimal strings.
 *
 * @throws LayoutValidationError (`LAYOUT_INVALID`) for a syntax error (with line and column), for
 *   YAML aliases that expand too much or refer to a node containing them, or for any validation issue.
 */
export function parseLayout(text: string, format?: LayoutFormat): Layout {
  const resolved = format ?? guessFormat(text);
  const raw = resolved === 'json' ? parseJson(text) : parseYaml(text);
  return validateLayout(raw);
}

function guessFormat(text: string): LayoutFormat {
  return text.trimStart().startsWith('{') ? 'json' : 'yaml';
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new LayoutValidationError([{ path: '', message: `not valid JSON: ${reason}` }], { cause: error });
  }
}

function parseYaml(text: string): unknown {
  const document = parseDocument(text, { intAsBigInt: true, uniqueKeys: true });
  if (document.errors.length > 0) {
    const issues = document.errors.map((error) => ({
      path: '',
      message: `not valid YAML: ${error.message.split('\n')[0]?.replace(/:$/, '') ?? error.code}`,
    }));
    throw new LayoutValidationError(issues, { cause: document.errors[0] });
  }
  refuseSelfReferencingAliases(document);
  try {
    return narrowIntegers(document.toJS({ maxAliasCount: MAX_ALIAS_COUNT }));
  } catch (error) {
    // yaml throws a ReferenceError when aliases expand beyond maxAliasCount (a "billion laughs").
    if (!(error instanceof ReferenceError)) throw error;
    const message = `not valid YAML: aliases expand too much (a layout needs at most ${MAX_ALIAS_COUNT})`;
    throw new LayoutValidationError([{ path: '', message }], { cause: error });
  }
}

/** `a: &a [*a]` makes a cycle no layout can mean (and JSON cannot hold): refused by name. */
function refuseSelfReferencingAliases(document: Document): void {
  const issues: { path: string; message: string }[] = [];
  visit(document, {
    Alias(_key, alias, path) {
      const target = alias.resolve(document);
      if (target !== undefined && path.includes(target)) {
        issues.push({ path: '', message: `not valid YAML: alias *${alias.source} refers to a node that contains it` });
      }
    },
  });
  if (issues.length > 0) throw new LayoutValidationError(issues);
}

/** Turns YAML's bigints back into numbers where that is exact, so only huge integers stay bigint. */
function narrowIntegers(value: unknown): unknown {
  if (typeof value === 'bigint') {
    return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value;
  }
  if (Array.isArray(value)) return value.map(narrowIntegers);
  if (typeof value === 'object' && value !== null && !(value instanceof Uint8Array)) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, narrowIntegers(item)]));
  }
  return value;
}
