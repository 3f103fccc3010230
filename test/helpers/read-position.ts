import fc from 'fast-check';

/**
 * Where a property test puts a member's read pointer: a percent of the room's last seq, 0 to 120
 * (over 100: past the end). An integer on purpose: fast-check draws doubles uniformly over their bit
 * patterns, so a `fc.double` between 0 and 1.2 is nearly always about 0 and every read would go to
 * seq 0, leaving the counters' read paths untested.
 */
export const readPosition: fc.Arbitrary<number> = fc.integer({ min: 0, max: 120 });

/** The seq a {@link readPosition} names in a room whose last seq is `lastSeq` (a whole seq, ≥ 0). */
export function seqAt(position: number, lastSeq: number): number {
  return Math.floor((position * lastSeq) / 100);
}
