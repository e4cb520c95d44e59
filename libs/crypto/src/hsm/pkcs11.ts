// The one place that imports pkcs11js (a CommonJS addon whose exports ESM cannot name statically).
import pkcs11js from 'pkcs11js';

export const pkcs11 = pkcs11js;
export type Pkcs11 = pkcs11js.PKCS11;
export type Handle = pkcs11js.Handle;
export type Template = pkcs11js.Template;
export type GcmParams = pkcs11js.GcmParams;
