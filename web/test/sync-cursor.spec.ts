import { SyncCursor } from '../src/state/sync-cursor';

describe('SyncCursor (where sync starts: every change up to it is held)', () => {
  it('advances over contiguous live changes', () => {
    const c = new SyncCursor(10);
    c.saw(11);
    c.saw(12);
    expect(c.value).toBe(12);
  });

  it('does not skip a gap: a change after lost frames waits until the gap is filled', () => {
    const c = new SyncCursor(10);
    c.saw(13);
    c.saw(14);
    expect(c.value).toBe(10);
    c.saw(11);
    expect(c.value).toBe(11);
    c.saw(12);
    expect(c.value).toBe(14);
  });

  it('ignores old, repeated and nonsense values', () => {
    const c = new SyncCursor(5);
    c.saw(3);
    c.saw(5);
    c.saw(Number.NaN);
    c.saw(6.5);
    c.advanceTo(-1);
    expect(c.value).toBe(5);
  });

  it('jumps to what a sync answer or a fresh page vouches for, then keeps changes seen beyond it', () => {
    const c = new SyncCursor(0);
    c.saw(22);
    c.saw(21);
    c.advanceTo(20);
    expect(c.value).toBe(22);
    c.advanceTo(15);
    expect(c.value).toBe(22);
  });
});
