// Request and response models of the auditor's endpoints: /v1/attestations, /v1/log, /v1/keys.
import { CONSISTENCY_PROOF_FORMAT, VERIFICATION_BUNDLE_FORMAT } from '#ingrain/crypto';
import { z } from 'zod';
import { responseModel } from '../http/api-models.js';
import {
  cursorParam,
  deprecatedOffsetParam,
  limitParam,
  nextCursorField,
  notBothCursorAndOffset,
} from '../http/cursor.js';

const HEX = /^(?:[0-9a-f]{2})*$/;
const hexText = (what: string) => z.string().regex(HEX).describe(what);
const sha256Hex = (what: string) =>
  z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .describe(what);
const base64Hashes = (what: string) => z.array(z.string()).describe(`${what} (standard base64 of 32-byte hashes)`);

/** A tree size or leaf index in a path or query: a whole number up to 2^53 - 1. */
const logNumber = (what: string) => z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER).describe(what);

export const LeafIndex = logNumber('Position of the attestation in the transparency log (0-based)');

const instant = (what: string) =>
  z.iso
    .datetime({ offset: true })
    .transform((text) => new Date(text))
    .describe(what);

export const AttestationSearchQuery = z
  .strictObject({
    serial: z.string().min(1).max(64).optional().describe('Only the attestation of this serial'),
    chipUid: z
      .string()
      .regex(/^(?:[0-9a-fA-F]{2}){1,32}$/, 'chipUid must be hex, 1-32 bytes')
      .transform((text) => new Uint8Array(Buffer.from(text, 'hex')))
      .optional()
      .describe('Only the attestation of this chip (unique device ID, hex)'),
    productId: z.string().min(1).max(64).optional().describe('Only attestations of this product'),
    workOrderId: z.uuid().optional().describe('Only attestations of this work order'),
    stationId: z.string().min(1).max(64).optional().describe('Only attestations reported by this station'),
    from: instant('Only attestations created at or after this instant (RFC 3339)').optional(),
    to: instant('Only attestations created before this instant (RFC 3339)').optional(),
    limit: limitParam(500, 100),
    cursor: cursorParam,
    offset: deprecatedOffsetParam('attestations (log order)'),
  })
  .superRefine((query, context) => {
    notBothCursorAndOffset(query, context);
    // Refinements run even when a field failed: an unparseable date is still its text here.
    if (query.from instanceof Date && query.to instanceof Date && query.from.getTime() >= query.to.getTime()) {
      context.addIssue({ code: 'custom', path: ['to'], message: 'to must be after from' });
    }
  });
export type AttestationSearchQuery = z.output<typeof AttestationSearchQuery>;

export const ConsistencyQuery = z
  .strictObject({
    from: logNumber('Tree size of the older checkpoint (one the auditor kept)'),
    to: logNumber('Tree size of the newer checkpoint (default: the latest)').optional(),
  })
  .superRefine((query, context) => {
    if (query.to !== undefined && query.from > query.to) {
      context.addIssue({ code: 'custom', path: ['from'], message: 'from must not exceed to' });
    }
  });
export type ConsistencyQuery = z.output<typeof ConsistencyQuery>;

const summaryFields = {
  leafIndex: z.int().describe('Position in the transparency log'),
  deviceId: z.uuid(),
  serial: z.string(),
  chipUid: hexText('Unique device ID of the attested chip'),
  productId: z.string(),
  workOrderId: z.uuid().nullable(),
  stationId: z.string().describe('The station that reported the verified read-back'),
  createdAt: z.iso.datetime().describe('When the attestation was logged'),
};

export const AttestationSummary = responseModel(
  'AttestationSummary',
  z.object(summaryFields).describe('A logged attestation, without its envelope'),
);
export type AttestationSummary = z.output<typeof AttestationSummary>;

export const AttestationList = responseModel(
  'AttestationList',
  z.object({
    attestations: z.array(AttestationSummary).describe('In log order'),
    limit: z.int(),
    offset: z.int().describe('Deprecated: the offset given (0 with a cursor)'),
    nextOffset: z
      .int()
      .nullable()
      .describe('Deprecated (use nextCursor): the offset of the next page; null on the last page'),
    nextCursor: nextCursorField,
  }),
);
export type AttestationList = z.output<typeof AttestationList>;

export const DsseEnvelopeView = responseModel(
  'DsseEnvelope',
  z
    .object({
      payloadType: z.string().describe('application/vnd.ingrain.attestation.v1+json'),
      payload: z.string().describe('Base64 of the canonical JSON attestation'),
      signatures: z.array(
        z.object({
          keyid: z.string().describe('Hex SHA-256 of the attestation key SPKI'),
          sig: z.string().describe('Base64 DER ECDSA signature over the DSSE PAE'),
        }),
      ),
    })
    .describe('A signed attestation envelope exactly as logged (docs/attestation.md)'),
);

const SecretFieldCommitment = z.object({
  name: z.string(),
  offsetBytes: z.int(),
  lengthBytes: z.int(),
  commitmentSha256: sha256Hex('Commitment to the value (salt not published)'),
});

export const AttestationPayload = responseModel(
  'AttestationPayload',
  z
    .object({
      formatVersion: z.literal(1),
      deviceId: z.string(),
      product: z.string(),
      serial: z.string(),
      layout: z.object({ name: z.string(), version: z.int(), digestSha256: sha256Hex('Layout digest') }),
      chip: z.object({
        family: z.string(),
        productId: z.int().describe('Get ID product ID (AN3155 §3.3)'),
        uidHex: hexText('Unique device ID'),
      }),
      otp: z.object({
        dataHex: hexText('Every OTP data byte as read back, secret fields as 00'),
        dataSha256: sha256Hex('SHA-256 of the data bytes'),
        lockBytesHex: hexText('Every lock byte as read back'),
        lockBytesSha256: sha256Hex('SHA-256 of the lock bytes'),
        secretFields: z.array(SecretFieldCommitment),
      }),
      deviceCertificateSha256: sha256Hex('SHA-256 of the device certificate DER'),
      stationId: z.string(),
      jobId: z.string(),
      workOrderId: z.string().nullable(),
      provisionedAt: z.iso.datetime(),
      attestedAt: z.iso.datetime(),
    })
    .describe("The envelope's payload, decoded (not a verification: verify the bundle offline)"),
);

export const LogCheckpointView = responseModel(
  'LogCheckpoint',
  z
    .object({
      origin: z.string().describe('The log origin (ingrain-verify --origin)'),
      treeSize: z.int(),
      rootHash: z.string().describe('Standard base64 of the 32-byte Merkle tree hash'),
      note: z.string().describe('The checkpoint as a signed note (C2SP), signed by the log key'),
    })
    .describe('A signed checkpoint of the transparency log (docs/transparency-log.md)'),
);
export type LogCheckpointView = z.output<typeof LogCheckpointView>;

export const AttestationDetail = responseModel(
  'AttestationDetail',
  z
    .object({
      ...summaryFields,
      envelope: DsseEnvelopeView,
      attestation: AttestationPayload,
      inclusionProof: z.object({
        treeSize: z.int().describe('The checkpoint size the proof leads to'),
        hashes: base64Hashes('RFC 9162 PATH(leafIndex, D[treeSize]), leaf level first'),
      }),
      checkpoint: LogCheckpointView,
    })
    .describe('A logged attestation with its inclusion proof against the latest checkpoint'),
);
export type AttestationDetail = z.output<typeof AttestationDetail>;

export const VerificationBundleView = responseModel(
  'VerificationBundle',
  z
    .object({
      format: z.literal(VERIFICATION_BUNDLE_FORMAT),
      attestation: DsseEnvelopeView,
      deviceCertificatePem: z.string(),
      caCertificatePem: z.string(),
      log: z.object({
        leafIndex: z.int(),
        inclusionProof: base64Hashes('RFC 9162 inclusion proof, leaf level first'),
        checkpoint: z.string().describe('The signed checkpoint note the proof is checked against'),
      }),
    })
    .describe('Everything `ingrain-verify` needs to check one attestation offline (docs/verifier.md); save as is'),
);
export type VerificationBundleView = z.output<typeof VerificationBundleView>;

export const LogConsistencyView = responseModel(
  'LogConsistencyProof',
  z
    .object({
      fromTreeSize: z.int(),
      toTreeSize: z.int(),
      newCheckpoint: z.string().describe('The signed checkpoint note at toTreeSize: the proof leads to its root'),
      consistencyFile: z
        .object({
          format: z.literal(CONSISTENCY_PROOF_FORMAT),
          oldCheckpoint: z.string().describe('The signed checkpoint note at fromTreeSize'),
          proof: base64Hashes('RFC 9162 PROOF(fromTreeSize, D[toTreeSize])'),
        })
        .describe('Exactly the `ingrain-verify --consistency` file: save as is'),
    })
    .describe('Proof that the newer checkpoint extends the older one'),
);
export type LogConsistencyView = z.output<typeof LogConsistencyView>;

export const PublicKeysView = responseModel(
  'PublicKeys',
  z
    .object({
      attestationPublicKeyPem: z
        .string()
        .describe('PEM SPKI of ingrain-attestation (ingrain-verify --attestation-key)'),
      logPublicKeyPem: z.string().describe('PEM SPKI of ingrain-log (ingrain-verify --log-key)'),
      caCertificatePem: z.string().describe('The device CA certificate (ingrain-verify --ca)'),
      logOrigin: z.string().describe('The checkpoint origin (ingrain-verify --origin)'),
      logVerifierKey: z
        .string()
        .describe(
          'The log key as a c2sp.org/signed-note verifier key, <origin>+<key ID>+base64(0x02 ‖ DER SPKI) ' +
            '(ingrain-witness serve --log-vkey; Go note tooling)',
        ),
    })
    .describe('The trust material an auditor verifies bundles with'),
);
export type PublicKeysView = z.output<typeof PublicKeysView>;
