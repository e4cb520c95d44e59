import { z } from 'zod';
import { CHIP_FAMILIES } from '../../profiles/device-profile.js';
import { FIELD_SOURCES } from '../types.js';

const NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_-]{0,63}$/;
const LAYOUT_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export const DOCUMENT_KEYS = ['name', 'version', 'family', 'description', 'fields', 'lock'] as const;

/** One schema per top-level key, so a bad key does not hide problems elsewhere. */
export const documentSchemas = {
  name: z.string({ error: 'name is required and must be a string' }).regex(LAYOUT_NAME_PATTERN, {
    error: 'name must be 1-64 letters, digits, ".", "_" or "-", starting with a letter or digit',
  }),
  version: z.int({ error: 'version must be a positive integer' }).min(1, { error: 'version must be at least 1' }),
  family: z.enum(CHIP_FAMILIES, { error: `family must be one of ${CHIP_FAMILIES.join(', ')}` }),
  description: z.string({ error: 'description must be a string' }).optional(),
  fields: z
    .array(z.unknown(), { error: 'fields must be a list' })
    .min(1, { error: 'fields must list at least one field' }),
  lock: z
    .array(z.int({ error: 'lock entries must be block numbers (integers)' }), {
      error: 'lock must be a list of blocks',
    })
    .optional(),
} as const;

/** The shape of one field entry; meaning (types, sizes, sources) is checked by field-rules. */
export const rawFieldSchema = z.strictObject({
  name: z.string({ error: 'name is required and must be a string' }).regex(NAME_PATTERN, {
    error: 'name must be 1-64 letters, digits, "_" or "-", starting with a letter or "_"',
  }),
  block: z.int({ error: 'block is required and must be an integer' }).min(0, { error: 'block must be 0 or more' }),
  offset: z.int({ error: 'offset is required and must be an integer' }).min(0, { error: 'offset must be 0 or more' }),
  type: z.string({ error: 'type is required and must be a string' }),
  length: z.int({ error: 'length must be an integer' }).min(1, { error: 'length must be at least 1' }).optional(),
  source: z.enum(FIELD_SOURCES, { error: `source must be one of ${FIELD_SOURCES.join(', ')}` }),
  value: z.unknown().optional(),
  generator: z.string({ error: 'generator must be a string' }).optional(),
  secret: z.boolean({ error: 'secret must be true or false' }).optional(),
  description: z.string({ error: 'description must be a string' }).optional(),
});

export type RawField = z.infer<typeof rawFieldSchema>;
