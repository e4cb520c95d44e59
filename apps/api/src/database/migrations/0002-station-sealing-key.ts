// Each station's sealing public key (docs/sealing.md, "Registration"): the P-256 point, as the
// 65-byte uncompressed SEC1 encoding, to which the API seals the secret part of a claimed image.
// Null until the admin registers one; a station without one cannot claim.
import type { SqlMigration } from './sql-migration.js';

export const stationSealingKeyMigration: SqlMigration = {
  statements: [
    `alter table stations add column sealing_public_key bytea
      constraint stations_sealing_public_key_check
        check (octet_length(sealing_public_key) = 65 and get_byte(sealing_public_key, 0) = 4)`,
    `alter table stations add column sealing_key_registered_at timestamptz`,
  ],
};
