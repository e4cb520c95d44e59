import { z } from 'zod';
import { requestModel, responseModel } from '../http/api-models.js';
import { nextCursorField } from '../http/cursor.js';
import { serialPrefixSchema } from './serials.js';

/**
 * Lower-case words of letters and digits joined by single hyphens, 1-64 characters: product ids,
 * station ids and line names. A slug fits every place these ids travel: URL paths, BullMQ queue
 * names (no ':'), certificate and attestation identifiers (docs/certificates.md, "Identifier rules").
 */
export const SLUG_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const SLUG_MESSAGE = 'must be 1-64 lower-case letters and digits in words joined by single hyphens';

/** A slug schema (see {@link SLUG_PATTERN}) described as `what`. */
export function slug(what: string) {
  return z.string().max(64, SLUG_MESSAGE).regex(SLUG_PATTERN, SLUG_MESSAGE).describe(what);
}

export const ProductId = slug('Product id (a slug, e.g. "sensor-node")');
export const LineName = slug(
  'Production line (a slug): its job queue is {ingrain-line-<line>} (hash-tagged for Redis Cluster)',
);

export const CreateProductRequest = requestModel(
  'CreateProductRequest',
  z.strictObject({
    id: ProductId,
    name: z.string().trim().min(1).max(100).describe('Human-readable product name'),
    line: LineName,
    serialPrefix: serialPrefixSchema
      .optional()
      .describe('Prefix of serials the API allocates (empty or up to 48 of A-Z a-z 0-9 . _ -); default empty'),
  }),
);
export type CreateProductRequest = z.output<typeof CreateProductRequest>;

export const ProductView = responseModel(
  'Product',
  z
    .object({
      id: z.string(),
      name: z.string(),
      line: z.string(),
      serialPrefix: z.string(),
      latestLayoutVersion: z.int().min(0).describe('Highest layout version added so far (0: none yet)'),
      createdAt: z.iso.datetime(),
    })
    .describe('A product: what is made, on which line'),
);
export type ProductView = z.output<typeof ProductView>;

export const ProductList = responseModel(
  'ProductList',
  z.object({ products: z.array(ProductView), nextCursor: nextCursorField }),
);
export type ProductList = z.output<typeof ProductList>;
