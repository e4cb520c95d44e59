// Arrays whose order carries meaning stay as they are; only these are sorted (by name).
const SORTED_ARRAYS = new Set(['parameters', 'tags']);

function sortValue(value: unknown, key: string | undefined): unknown {
  if (Array.isArray(value)) {
    const items = value.map((item) => sortValue(item, undefined));
    if (key === 'required') return [...(items as string[])].sort();
    if (key !== undefined && SORTED_ARRAYS.has(key)) return items.sort(byName);
    return items;
  }
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((name) => [name, sortValue((value as Record<string, unknown>)[name], name)]),
  );
}

function byName(a: unknown, b: unknown): number {
  const name = (item: unknown) => {
    const { in: location, name: itemName } = (item ?? {}) as { in?: unknown; name?: unknown };
    return `${typeof location === 'string' ? location : ''}:${typeof itemName === 'string' ? itemName : ''}`;
  };
  const [left, right] = [name(a), name(b)];
  return left < right ? -1 : left > right ? 1 : 0;
}

/**
 * A deep copy of an OpenAPI document with every object's keys in code-point order, `required`
 * lists sorted, and parameters and tags sorted by (in, name): the same routes and models always
 * give the same bytes. Other arrays (enum values, oneOf, security) keep their order.
 */
export function sortDocument<T>(document: T): T {
  return sortValue(document, undefined) as T;
}
