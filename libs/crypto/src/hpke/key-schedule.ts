import { labeledExpand, labeledExtract } from './kdf.js';
import { aeadParameters, concatBytes, hpkeSuiteId, type HpkeSuite } from './suite.js';

/** RFC 9180 §5: mode_base. The PSK and Auth modes are not implemented. */
export const HPKE_MODE_BASE = 0x00;

/** What KeySchedule gives a single-shot context: the AEAD key and base nonce (plus intermediates for tests). */
export interface BaseKeySchedule {
  readonly keyScheduleContext: Uint8Array;
  readonly secret: Uint8Array;
  readonly key: Uint8Array;
  readonly baseNonce: Uint8Array;
}

/**
 * RFC 9180 §5.1 KeySchedule<ROLE>(mode_base, shared_secret, info, psk = "", psk_id = "").
 * The exporter secret is not derived: this library offers no secret export.
 */
export function baseKeySchedule(suite: HpkeSuite, sharedSecret: Uint8Array, info: Uint8Array): BaseKeySchedule {
  const aead = aeadParameters(suite);
  const suiteId = hpkeSuiteId(suite);
  const empty = new Uint8Array(0);
  const pskIdHash = labeledExtract(suiteId, empty, 'psk_id_hash', empty);
  const infoHash = labeledExtract(suiteId, empty, 'info_hash', info);
  const keyScheduleContext = concatBytes(new Uint8Array([HPKE_MODE_BASE]), pskIdHash, infoHash);
  const secret = labeledExtract(suiteId, sharedSecret, 'secret', empty);
  return {
    keyScheduleContext,
    secret,
    key: labeledExpand(suiteId, secret, 'key', keyScheduleContext, aead.keyBytes),
    baseNonce: labeledExpand(suiteId, secret, 'base_nonce', keyScheduleContext, aead.nonceBytes),
  };
}
