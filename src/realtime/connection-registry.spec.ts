import type { AppConfig } from '../config/app-config';
import { ChatSocket, ConnectionRegistry } from './connection-registry';

/** A stand-in for an authenticated socket: the registry only reads `chat.userId` here. */
const socketOf = (userId: string): ChatSocket => ({ chat: { userId } }) as unknown as ChatSocket;

describe('ConnectionRegistry block sets', () => {
  const registry = () => new ConnectionRegistry({} as AppConfig);

  it('loads the block set with the first connection and forgets it with the last', () => {
    const r = registry();
    const first = socketOf('bob');
    const second = socketOf('bob');
    r.add(first, [], ['alice'], r.beginLoad('bob'));
    expect(r.hasBlocked('bob', 'alice')).toBe(true);
    expect(r.hasBlocked('bob', 'carol')).toBe(false);
    expect(r.hasBlocked('alice', 'bob')).toBe(false);
    r.add(second, [], [], r.beginLoad('bob'));
    r.remove(first);
    expect(r.hasBlocked('bob', 'alice')).toBe(true);
    r.remove(second);
    expect(r.hasBlocked('bob', 'alice')).toBe(false);
  });

  it('applies blocks and unblocks of online users, ignores offline ones', () => {
    const r = registry();
    r.add(socketOf('bob'), [], [], r.beginLoad('bob'));
    r.blockChanged('bob', 'alice', true);
    expect(r.hasBlocked('bob', 'alice')).toBe(true);
    r.blockChanged('bob', 'alice', false);
    expect(r.hasBlocked('bob', 'alice')).toBe(false);
    r.blockChanged('dave', 'alice', true);
    r.add(socketOf('dave'), [], [], r.beginLoad('dave'));
    expect(r.hasBlocked('dave', 'alice')).toBe(false);
  });

  it('replays blocks and unblocks that land while the block list loads', () => {
    const r = registry();
    const journal = r.beginLoad('bob');
    // The list was read before these changes committed: alice still in it, carol not yet.
    r.blockChanged('bob', 'alice', false);
    r.blockChanged('bob', 'carol', true);
    r.add(socketOf('bob'), [], ['alice'], journal);
    r.endLoad(journal);
    expect(r.hasBlocked('bob', 'alice')).toBe(false);
    expect(r.hasBlocked('bob', 'carol')).toBe(true);
  });
});
