import { type DeviceProfile } from '../../profiles/device-profile.js';
import { type IssueCollector } from './issues.js';

/**
 * Checks the lock list: each block once and, when the profile is known, no locks without lock
 * bytes (L4), existing blocks only, and only blocks that hold a field (`blocksWithFields` holds
 * every block any field names, valid or not, so one mistake is not reported twice).
 * Returns the sorted lock list.
 */
export function checkLocks(
  lock: readonly number[],
  profile: DeviceProfile | undefined,
  blocksWithFields: ReadonlySet<number>,
  issues: IssueCollector,
): number[] {
  if (profile?.lockBaseAddress === null && lock.length > 0) {
    issues.add(
      'lock',
      `${profile.family} has no lock bytes: remove the lock list (each double-word is already write-once)`,
    );
    return [];
  }
  const seen = new Set<number>();
  lock.forEach((block, index) => {
    const path = `lock[${index}]`;
    if (seen.has(block)) {
      issues.add(path, `block ${block} is listed more than once`);
    } else if (block < 0 || (profile !== undefined && block >= profile.blockCount)) {
      const range = profile === undefined ? '' : ` on ${profile.family} (blocks 0-${profile.blockCount - 1})`;
      issues.add(path, `block ${block} does not exist${range}`);
    } else if (profile !== undefined && !blocksWithFields.has(block)) {
      issues.add(path, `block ${block} holds no field: locking it would waste it for good`);
    }
    seen.add(block);
  });
  return [...seen].sort((a, b) => a - b);
}
