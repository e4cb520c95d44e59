import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fromHex } from './bytes.js';
import { children, decodeOid, decodeText, DerError, readSingle, TAG } from './der.js';
import { OID } from './x509.js';

const der = (hex: string) => readSingle(fromHex(hex)!);

describe('decodeOid', () => {
  it("decodes Ingrain's 128-bit UUID arc exactly (docs/certificates.md, the chip UID test vectors)", () => {
    // The whole chip UID Extension of the docs' test vector: OID, then extnValue.
    const [oid, value] = children(
      der('302706156983f9bb80aac69eb28bf5a38796c1bbd1fcd86201040e040c0123456789abcdef01234567'),
    );
    assert.equal(decodeOid(oid!), OID.chipUidExtension);
    assert.deepEqual(readSingle(value!.content, TAG.OCTET_STRING).content, fromHex('0123456789abcdef01234567'));
    // The subject's last RDN: SET { SEQUENCE { OID …2, PrintableString } }.
    const [rdn] = children(
      der('3133303106156983f9bb80aac69eb28bf5a38796c1bbd1fcd862021318303132333435363738396162636465663031323334353637'),
    );
    const [type, text] = children(rdn!);
    assert.equal(decodeOid(type!), OID.chipUidAttribute);
    assert.equal(decodeText(text!), '0123456789abcdef01234567');
  });

  it('decodes small arcs and refuses a non-minimal subidentifier or a truncated one', () => {
    assert.equal(decodeOid(der('06082a8648ce3d030107')), OID.prime256v1);
    assert.equal(decodeOid(der('0603550403')), OID.commonName);
    assert.throws(() => decodeOid(der('060455800403')), DerError);
    assert.throws(() => decodeOid(der('06025581')), DerError);
  });
});
