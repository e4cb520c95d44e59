import { CHIP_UID_HEX_PATTERN, DEVICE_IDENTIFIER_PATTERN } from './names.js';

const DEVICE_PREFIX = 'urn:ingrain:device:';
const CHIP_UID_PREFIX = 'urn:ingrain:chip-uid:';

/** `urn:ingrain:device:<product>:<serial>` (inputs already validated against DEVICE_IDENTIFIER_PATTERN). */
export function deviceUrn(product: string, serial: string): string {
  return `${DEVICE_PREFIX}${product}:${serial}`;
}

/** `urn:ingrain:chip-uid:<uid in lowercase hex>`. */
export function chipUidUrn(chipUidHex: string): string {
  return `${CHIP_UID_PREFIX}${chipUidHex.toLowerCase()}`;
}

/** Product and serial from a device URN, or undefined if `uri` is not one. */
export function parseDeviceUrn(uri: string): { product: string; serial: string } | undefined {
  if (!uri.startsWith(DEVICE_PREFIX)) return undefined;
  const [product, serial, ...rest] = uri.slice(DEVICE_PREFIX.length).split(':');
  if (product === undefined || serial === undefined || rest.length > 0) return undefined;
  if (!DEVICE_IDENTIFIER_PATTERN.test(product) || !DEVICE_IDENTIFIER_PATTERN.test(serial)) return undefined;
  return { product, serial };
}

/** Lowercase chip UID hex from a chip-UID URN, or undefined if `uri` is not one. */
export function parseChipUidUrn(uri: string): string | undefined {
  if (!uri.startsWith(CHIP_UID_PREFIX)) return undefined;
  const hex = uri.slice(CHIP_UID_PREFIX.length);
  return CHIP_UID_HEX_PATTERN.test(hex) && hex === hex.toLowerCase() ? hex : undefined;
}
