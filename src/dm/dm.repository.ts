import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { firstRow, Queryable, statement } from '../database/sql';

/** The key of a pair's DM room: both user ids in ascending order (rooms_dm_key_uq makes it unique). */
export function dmKeyOf(a: string, b: string): string {
  const [x, y] = [a.toLowerCase(), b.toLowerCase()].sort();
  return `${x}:${y}`;
}

/** The SQL of direct-message rooms. */
@Injectable()
export class DmRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /**
   * Inserts the DM room of a pair unless it exists. Concurrent calls for the same pair serialize on
   * the unique index: the loser waits for the winner's commit and then inserts nothing.
   * @returns the room id when this call created it, else null.
   */
  async insertDmRoom(tx: Queryable, dmKey: string): Promise<string | null> {
    const row = await firstRow<{ id: string }>(
      tx,
      statement('dm_insert_room', `INSERT INTO rooms (type, dm_key) VALUES ('dm', $1) ON CONFLICT (dm_key) WHERE dm_key IS NOT NULL DO NOTHING RETURNING id`, [dmKey]),
    );
    return row?.id ?? null;
  }

  /** The DM room of a pair (rooms_dm_key_uq); null when there is none. */
  async findDmRoomId(dmKey: string): Promise<string | null> {
    const row = await firstRow<{ id: string }>(this.db, statement('dm_find_room', `SELECT id FROM rooms WHERE dm_key = $1`, [dmKey]));
    return row?.id ?? null;
  }
}
