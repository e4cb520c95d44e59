import {
  type BootloaderClient,
  BootloaderError,
  type ChipFamily,
  findProfileByProductId,
  TransportError,
} from '#ingrain/otp';

/** A chip that answered in the fixture, identified by two equal reads of its PID and of its UID. */
export interface ChipPresence {
  /** Lower-case hex, memory order. */
  readonly uid: string;
  readonly family: ChipFamily;
  readonly productId: number;
}

/** What a probe found in a fixture. */
export type ProbeResult =
  | { readonly kind: 'chip'; readonly chip: ChipPresence }
  /** It answers, but its PID names no known family (confirmed by two Get ID answers). */
  | { readonly kind: 'unknown-chip'; readonly productId: number }
  /** Nothing answered, or the answers did not agree: no chip the station can act on (yet). */
  | { readonly kind: 'none'; readonly reason: string };

/**
 * Few re-synchronisation rounds for the probe's connect: an empty fixture must be told apart
 * quickly. The bound is for that connect only: the same client, handed to the cycle, keeps its own
 * (default, patient) bound.
 */
const PROBE_RESYNC_ATTEMPTS = 2;

/**
 * Looks at what the fixture holds through `client` (a new one, on the fixture's open port), without
 * writing: sync (0x7F, which a freshly inserted chip needs: AN3155 §2), Get ID twice, UID read
 * twice. Decisions rest on two equal answers only (a pty and AN3155 read replies carry no
 * checksum). Link and protocol failures mean "no chip" (they are what an empty fixture looks
 * like); only programming errors are thrown. After a 'chip' result the client is synchronised.
 */
export async function probeFixture(client: BootloaderClient): Promise<ProbeResult> {
  try {
    await client.connect({ maxResyncAttempts: PROBE_RESYNC_ATTEMPTS });
    const productId = await client.getId();
    if ((await client.getId()) !== productId) return { kind: 'none', reason: 'two Get ID answers differ' };
    const profile = findProfileByProductId(productId);
    if (profile === undefined) return { kind: 'unknown-chip', productId };
    const uid = await client.readMemory(profile.uidAddress, profile.uidLengthBytes);
    const again = await client.readMemory(profile.uidAddress, profile.uidLengthBytes);
    if (Buffer.compare(uid, again) !== 0) return { kind: 'none', reason: 'two UID reads differ' };
    return { kind: 'chip', chip: { uid: Buffer.from(uid).toString('hex'), family: profile.family, productId } };
  } catch (error) {
    if (error instanceof BootloaderError || error instanceof TransportError)
      return { kind: 'none', reason: error.code };
    throw error;
  }
}
