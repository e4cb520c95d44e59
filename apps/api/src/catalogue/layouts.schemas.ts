import { CHIP_FAMILIES, FIELD_SOURCES } from '#ingrain/otp';
import { z } from 'zod';
import { requestModel, responseModel } from '../http/api-models.js';

/** Largest layout text accepted (characters); real layouts are a few kilobytes. */
export const MAX_LAYOUT_SOURCE_CHARS = 256 * 1024;
const MAX_LAYOUT_VERSION = 2_147_483_647; // the layouts.version column is a PostgreSQL integer

export const LayoutVersionParam = z
  .string()
  .regex(/^[1-9][0-9]{0,9}$/, 'must be a layout version (a positive integer)')
  .transform(Number)
  .pipe(z.int().max(MAX_LAYOUT_VERSION, 'must be a layout version (a positive integer)'))
  .describe('Layout version (1, 2, …)');

export const CreateLayoutRequest = requestModel(
  'CreateLayoutRequest',
  z
    .strictObject({
      source: z
        .string()
        .min(1)
        .max(MAX_LAYOUT_SOURCE_CHARS)
        .describe('The layout file (docs/layouts.md), YAML or JSON text; stored exactly as sent'),
      format: z
        .enum(['yaml', 'json'])
        .optional()
        .describe('How to read `source`; default: JSON when its first non-blank character is "{", else YAML'),
    })
    .describe("A product's next layout version: the layout's own `version` must be that number"),
);
export type CreateLayoutRequest = z.output<typeof CreateLayoutRequest>;

const FieldValueView = z.union([z.string(), z.number(), z.boolean()]);

export const LayoutDocumentView = responseModel(
  'LayoutDocument',
  z
    .object({
      name: z.string(),
      version: z.int(),
      family: z.enum(CHIP_FAMILIES),
      description: z.string().optional(),
      fields: z.array(
        z.object({
          name: z.string(),
          block: z.int(),
          offset: z.int().describe('Byte offset inside the block'),
          type: z.string(),
          length: z.int().optional(),
          source: z.enum(FIELD_SOURCES),
          value: FieldValueView.optional().describe('Constants only, normalized (64-bit integers as strings)'),
          generator: z.string().optional(),
          secret: z.boolean().optional(),
          description: z.string().optional(),
        }),
      ),
      lock: z.array(z.int()).optional(),
    })
    .describe('The normalized layout as a layout document (JSON): fields in OTP order'),
);

export const LayoutView = responseModel(
  'Layout',
  z
    .object({
      productId: z.string(),
      version: z.int().min(1),
      name: z.string().describe("The layout's name"),
      family: z.enum(CHIP_FAMILIES),
      digest: z.string().describe('libs/otp layoutDigest: SHA-256 (hex) of the canonical layout'),
      source: z.string().describe('The layout text exactly as submitted'),
      definition: LayoutDocumentView,
      createdAt: z.iso.datetime(),
    })
    .describe('A stored layout version (immutable)'),
);
export type LayoutView = z.output<typeof LayoutView>;

export const RenderLayoutRequest = requestModel(
  'RenderLayoutRequest',
  z.strictObject({
    values: z
      .record(z.string(), z.unknown())
      .describe('Sample values of the input fields, keyed by field name, in their JSON forms (docs/layouts.md)'),
  }),
);
export type RenderLayoutRequest = z.output<typeof RenderLayoutRequest>;

const RenderedFieldView = z.object({
  name: z.string(),
  type: z.string(),
  source: z.enum(FIELD_SOURCES),
  block: z.int(),
  offsetBytes: z.int(),
  address: z.int().describe('Memory address of the first byte'),
  sizeBytes: z.int(),
  secret: z.boolean(),
  state: z.enum(['blank', 'programmed', 'partial']),
  value: FieldValueView.nullable().describe('The decoded value; null when redacted'),
  hex: z.string().nullable().describe('The bytes; null when redacted'),
  redacted: z.boolean().describe('True for secret fields: their bytes are zeroed in the image'),
  placeholder: z.boolean().describe('True for generated fields: bytes 00 01 02 … stand in for the real value'),
  problem: z.string().optional(),
});

export const RenderedLayout = responseModel(
  'RenderedLayout',
  z
    .object({
      productId: z.string(),
      layoutVersion: z.int(),
      layoutName: z.string(),
      family: z.enum(CHIP_FAMILIES),
      digest: z.string(),
      sizeBytes: z.int(),
      dataHex: z.string().describe('Every OTP data byte; secret fields as 00, unused bytes ff'),
      lockedBlocks: z.array(z.int()),
      lockBytesHex: z.string().describe('The lock bytes a provisioned device reads back (empty on stm32l4)'),
      fields: z.array(RenderedFieldView),
    })
    .describe('A dry-run rendering: nothing stored, no key generated'),
);
export type RenderedLayout = z.output<typeof RenderedLayout>;

export const LayoutInputsSchema = responseModel(
  'LayoutInputsSchema',
  z
    .record(z.string(), z.unknown())
    .describe(
      "A JSON Schema (draft 2020-12) of a device request's `inputs` for this layout version; `x-ingrain-secret: true` marks a secret input",
    ),
);
export type LayoutInputsSchema = z.output<typeof LayoutInputsSchema>;
