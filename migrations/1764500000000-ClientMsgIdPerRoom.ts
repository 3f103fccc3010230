import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `client_msg_id` is scoped to (sender, room): the same id in another room is a new message, and a
 * retry finds the first message only in the room it was sent to (before, a reused id returned the
 * sender's message from another room, even one the sender had been removed from).
 */
export class ClientMsgIdPerRoom1764500000000 implements MigrationInterface {
  name = 'ClientMsgIdPerRoom1764500000000';

  /** Replaces the (sender, client_msg_id) unique index with (sender, room, client_msg_id). */
  public async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE UNIQUE INDEX messages_sender_room_client_msg_uq ON messages (sender_id, room_id, client_msg_id) WHERE client_msg_id IS NOT NULL`,
    );
    await q.query(`DROP INDEX messages_sender_client_msg_uq`);
  }

  /**
   * Back to one client_msg_id per sender. Ids reused in several rooms since the upgrade are kept on
   * the sender's first message only (the later ones lose their client_msg_id), or the old index could
   * not be built.
   */
  public async down(q: QueryRunner): Promise<void> {
    await q.query(`
      UPDATE messages m SET client_msg_id = NULL
      FROM (SELECT id, row_number() OVER (PARTITION BY sender_id, client_msg_id ORDER BY created_at, id) AS n
            FROM messages WHERE client_msg_id IS NOT NULL) d
      WHERE m.id = d.id AND d.n > 1`);
    await q.query(`CREATE UNIQUE INDEX messages_sender_client_msg_uq ON messages (sender_id, client_msg_id) WHERE client_msg_id IS NOT NULL`);
    await q.query(`DROP INDEX messages_sender_room_client_msg_uq`);
  }
}
