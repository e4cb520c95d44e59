import { type FieldValue } from '../types.js';

export type EncodeResult =
  { readonly ok: true; readonly bytes: Uint8Array } | { readonly ok: false; readonly reason: string };
export type DecodeResult =
  { readonly ok: true; readonly value: FieldValue } | { readonly ok: false; readonly reason: string };

/**
 * Encoding of one field type. Reasons describe the problem ("must be at most 16 characters")
 * and never contain the value, which may be secret.
 */
export interface FieldCodec {
  /** Size of every encoding, or null when the layout's `length` sets it. */
  readonly fixedSizeBytes: number | null;
  /**
   * Whether a complete, valid encoding may contain 0xFF bytes. When false, a 0xFF byte inside a
   * programmed field proves an interrupted write.
   */
  readonly blankByteIsValid: boolean;
  /** Encodes `value` into exactly `sizeBytes` bytes. */
  encode(value: unknown, sizeBytes: number): EncodeResult;
  /** Decodes a complete field to its JSON-friendly value. */
  decode(bytes: Uint8Array): DecodeResult;
}

export function encoded(bytes: Uint8Array): EncodeResult {
  return { ok: true, bytes };
}

export function decoded(value: FieldValue): DecodeResult {
  return { ok: true, value };
}

export function rejected(reason: string): { readonly ok: false; readonly reason: string } {
  return { ok: false, reason };
}

/** A human name for the JavaScript type of `value`, for messages that must not show the value. */
export function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (value instanceof Uint8Array) return 'bytes';
  return `a ${typeof value}`;
}
