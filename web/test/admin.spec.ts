import { actorLabel, actorUserId, describeAction, type Page, Pager } from '../src/state/admin';

/** A promise resolved by hand, to answer pages in any order. */
function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('admin panel state', () => {
  it('reads pages with the cursors: reload replaces, more appends the next page and stops at the last', async () => {
    const asked: (string | undefined)[] = [];
    const pages: Record<string, Page<number>> = { first: { items: [1, 2], next_cursor: 'c2' }, c2: { items: [3], next_cursor: null } };
    const pager = new Pager<number>(async (cursor) => {
      asked.push(cursor);
      return pages[cursor ?? 'first'];
    });
    expect(pager.loaded.value).toBe(false);
    await pager.reload();
    expect(pager.items.value).toEqual([1, 2]);
    expect(pager.loaded.value).toBe(true);
    await pager.more();
    expect(pager.items.value).toEqual([1, 2, 3]);
    expect(pager.nextCursor.value).toBeNull();
    await pager.more();
    expect(asked).toEqual([undefined, 'c2']);
    await pager.reload();
    expect(pager.items.value).toEqual([1, 2]);
  });

  it('drops the answer of a superseded request, keeps errors until a page arrives, and applies updates and removals', async () => {
    const slow = deferred<Page<string>>();
    const fast = deferred<Page<string>>();
    const answers = [slow.promise, fast.promise];
    const pager = new Pager<string>(() => answers.shift()!);
    const first = pager.reload();
    const second = pager.reload();
    fast.resolve({ items: ['new'], next_cursor: null });
    await second;
    slow.resolve({ items: ['old'], next_cursor: 'x' });
    await first;
    expect(pager.items.value).toEqual(['new']);
    expect(pager.nextCursor.value).toBeNull();
    expect(pager.loading.value).toBe(false);

    const failing = new Pager<string>(() => Promise.reject(new Error('refused')));
    await failing.reload();
    expect((failing.error.value as Error).message).toBe('refused');
    expect(failing.loading.value).toBe(false);
    expect(failing.loaded.value).toBe(false);

    const rows = new Pager<{ id: number; v: string }>(async () => ({ items: [{ id: 1, v: 'a' }, { id: 2, v: 'b' }], next_cursor: null }));
    await rows.reload();
    rows.update({ id: 2, v: 'B' }, (a, b) => a.id === b.id);
    rows.remove((r) => r.id === 1);
    expect(rows.items.value).toEqual([{ id: 2, v: 'B' }]);
  });

  it('names audit actors and actions in words', () => {
    expect(actorUserId('user:5B1F0C9E-8A4D-4C3E-9F7A-2D6B1E0C4A11')).toBe('5b1f0c9e-8a4d-4c3e-9f7a-2d6b1e0c4a11');
    expect(actorUserId('cli:root')).toBeNull();
    expect(actorLabel('cli:root')).toBe('command line (root)');
    expect(actorLabel('config:ADMIN_USERNAMES')).toBe('configuration (ADMIN_USERNAMES)');
    expect(describeAction('user.disable')).toBe('disabled the account');
    expect(describeAction('something.new')).toBe('something.new');
  });
});
