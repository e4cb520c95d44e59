import type { OpenAPIObject } from '@nestjs/swagger';

/** The committed (and served) form of the document: two-space JSON with a final newline. */
export function openApiJson(document: OpenAPIObject): string {
  return `${JSON.stringify(document, null, 2)}\n`;
}
