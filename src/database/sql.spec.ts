import { and, execute, firstRow, keyset, rows, SqlParams, statement, statementName } from './sql';
import { parseInt8 } from './pg-types';

describe('SqlParams', () => {
  it('numbers placeholders in bind order, with casts when asked', () => {
    const p = new SqlParams();
    expect(p.bind('room')).toBe('$1');
    expect(p.bind(['a', 'b'], 'uuid[]')).toBe('$2::uuid[]');
    expect(p.bind(null, 'uuid')).toBe('$3::uuid');
    expect(p.values).toEqual(['room', ['a', 'b'], null]);
  });

  it('builds a dynamic WHERE whose placeholders match its values whatever parts are present', () => {
    const build = (before?: number, after?: number) => {
      const p = new SqlParams();
      const room = p.bind('r1');
      const where = and(`m.room_id = ${room}`, before !== undefined && `m.seq < ${p.bind(before)}`, after !== undefined && `m.seq > ${p.bind(after)}`);
      return p.statement('page', `SELECT 1 FROM messages m WHERE ${where} LIMIT ${p.bind(10)}`);
    };
    expect(build()).toMatchObject({ text: 'SELECT 1 FROM messages m WHERE m.room_id = $1 LIMIT $2', values: ['r1', 10] });
    expect(build(5)).toMatchObject({ text: 'SELECT 1 FROM messages m WHERE m.room_id = $1 AND m.seq < $2 LIMIT $3', values: ['r1', 5, 10] });
    expect(build(undefined, 7)).toMatchObject({ text: 'SELECT 1 FROM messages m WHERE m.room_id = $1 AND m.seq > $2 LIMIT $3', values: ['r1', 7, 10] });
    expect(build(9, 3)).toMatchObject({ text: 'SELECT 1 FROM messages m WHERE m.room_id = $1 AND m.seq < $2 AND m.seq > $3 LIMIT $4', values: ['r1', 9, 3, 10] });
  });

  it('gives each shape of a dynamic statement its own stable name', () => {
    const a = statement('page', 'SELECT 1 WHERE $1', [1]);
    const b = statement('page', 'SELECT 1 WHERE $1', [2]);
    const c = statement('page', 'SELECT 2 WHERE $1', [1]);
    expect(a.name).toBe(b.name);
    expect(a.name).not.toBe(c.name);
    expect(a.name).toMatch(/^page_[0-9a-f]{12}$/);
    // PostgreSQL truncates identifiers to 63 bytes: the hash part must survive.
    expect(statementName('x'.repeat(80), 'SELECT 1').length).toBeLessThanOrEqual(63);
  });
});

describe('and', () => {
  it('skips absent conditions and is valid SQL with none', () => {
    expect(and()).toBe('true');
    expect(and(false, null, undefined, '')).toBe('true');
    expect(and('a = 1')).toBe('a = 1');
    expect(and('a = 1', false, 'b = 2')).toBe('a = 1 AND b = 2');
  });
});

describe('keyset', () => {
  const columns = [
    { expr: 'r.created_at', part: 'timestamp' as const },
    { expr: 'r.id', part: 'uuid' as const },
  ];

  it('is nothing on the first page and binds nothing', () => {
    const p = new SqlParams();
    expect(keyset(p, columns, null, 'desc')).toBeNull();
    expect(p.values).toEqual([]);
  });

  it('compares the row of ORDER BY columns with the cursor, typed by the cursor parts', () => {
    const p = new SqlParams();
    p.bind('user');
    const key = ['2026-01-01 10:00:00.123456+00', '8c0d1a8e-6f43-4c89-9a0a-0d5c2d1c1e11'];
    expect(keyset(p, columns, key, 'desc')).toBe('(r.created_at, r.id) < ($2::timestamptz, $3::uuid)');
    expect(keyset(p, [{ expr: 'joined_at', part: 'timestamp' }, { expr: 'user_id', part: 'uuid' }], key, 'asc')).toBe(
      '(joined_at, user_id) > ($4::timestamptz, $5::uuid)',
    );
    expect(keyset(p, [{ expr: 'lower(u.username)', part: 'text' }], ['alice'], 'asc')).toBe('(lower(u.username)) > ($6::text)');
    expect(p.values).toEqual(['user', ...key, ...key, 'alice']);
  });

  it('refuses a cursor of another length (a programming error, never user input)', () => {
    expect(() => keyset(new SqlParams(), columns, ['only-one'], 'desc')).toThrow(/1 cursor values for 2 columns/);
  });
});

describe('running statements', () => {
  const stmt = statement('test', 'SELECT $1::int AS n', [1]);

  it('sends a named statement on the pool of a data source', async () => {
    const query = jest.fn().mockResolvedValue({ rows: [{ n: 1 }], rowCount: 1 });
    const db = { driver: { master: { query } }, manager: {} };
    expect(await rows(db as never, stmt)).toEqual([{ n: 1 }]);
    expect(query).toHaveBeenCalledWith({ name: stmt.name, text: stmt.text, values: [1] });
  });

  it('sends it on the connection of the transaction when given a transaction manager', async () => {
    const client = { query: jest.fn().mockResolvedValue({ rows: [], rowCount: 3 }) };
    const pool = { query: jest.fn() };
    const manager = { queryRunner: { isReleased: false, connect: async () => client }, connection: { driver: { master: pool } } };
    expect(await execute(manager as never, stmt)).toBe(3);
    expect(await firstRow(manager as never, stmt)).toBeNull();
    expect(client.query).toHaveBeenCalledTimes(2);
    expect(pool.query).not.toHaveBeenCalled();
  });

  it('falls back to query() on a stand-in without a pg pool', async () => {
    const standIn = { query: jest.fn().mockResolvedValue([{ n: 2 }]) };
    expect(await rows(standIn as never, stmt)).toEqual([{ n: 2 }]);
    expect(standIn.query).toHaveBeenCalledWith(stmt.text, [1]);
  });
});

describe('parseInt8', () => {
  it('parses counters as numbers and refuses values a number cannot hold exactly', () => {
    expect(parseInt8('0')).toBe(0);
    expect(parseInt8('-5')).toBe(-5);
    expect(parseInt8('9007199254740991')).toBe(Number.MAX_SAFE_INTEGER);
    expect(() => parseInt8('9007199254740993')).toThrow(RangeError);
  });
});
