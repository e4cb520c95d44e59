const IDENTIFIER = /^[A-Za-z_$][\w$-]*$/;

/**
 * Formats a zod issue path the way libs/otp names layout fields: `fields[2].length`,
 * `inputs["mac address"]`. `prefix` (e.g. `body`) comes first when given.
 */
export function formatFieldPath(segments: readonly PropertyKey[], prefix?: string): string {
  let path = prefix ?? '';
  for (const segment of segments) {
    if (typeof segment === 'number') path += `[${segment}]`;
    else if (typeof segment === 'string' && IDENTIFIER.test(segment)) path += path === '' ? segment : `.${segment}`;
    else path += `[${JSON.stringify(String(segment))}]`;
  }
  return path;
}
