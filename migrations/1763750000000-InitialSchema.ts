import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The first schema: users, sessions, revoked tokens, rooms, room members and messages, with the
 * indexes that serve login lookups, the history page, `rooms/me`, sync and idempotent sends.
 */
export class InitialSchema1763750000000 implements MigrationInterface {
  name = 'InitialSchema1763750000000';

  /** Creates every table and index of the first slice. */
  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE users (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        username varchar(64) NOT NULL,
        email varchar(254),
        password_hash varchar(100),
        display_name varchar(64) NOT NULL,
        avatar_url text,
        bio varchar(500),
        status varchar(140),
        last_seen_at timestamptz,
        deleted_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    // Case-insensitive uniqueness; text_pattern_ops also serves `lower(x) LIKE 'prefix%'` searches.
    await q.query(`CREATE UNIQUE INDEX users_username_lower_uq ON users (lower(username) text_pattern_ops)`);
    await q.query(`CREATE UNIQUE INDEX users_email_lower_uq ON users (lower(email)) WHERE email IS NOT NULL`);
    await q.query(`CREATE INDEX users_display_name_lower_idx ON users (lower(display_name) text_pattern_ops)`);

    await q.query(`
      CREATE TABLE sessions (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        refresh_token_hash varchar(64) NOT NULL,
        previous_refresh_token_hash varchar(64),
        user_agent varchar(255),
        ip varchar(64),
        created_at timestamptz NOT NULL DEFAULT now(),
        last_used_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        revoked_at timestamptz
      )`);
    await q.query(`CREATE UNIQUE INDEX sessions_refresh_token_hash_uq ON sessions (refresh_token_hash)`);
    await q.query(`CREATE INDEX sessions_previous_refresh_token_hash_idx ON sessions (previous_refresh_token_hash) WHERE previous_refresh_token_hash IS NOT NULL`);
    await q.query(`CREATE INDEX sessions_user_idx ON sessions (user_id)`);

    await q.query(`
      CREATE TABLE revoked_tokens (
        id uuid PRIMARY KEY,
        kind varchar(8) NOT NULL CHECK (kind IN ('jti', 'sid')),
        user_id uuid,
        expires_at timestamptz NOT NULL,
        revoked_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX revoked_tokens_expires_at_idx ON revoked_tokens (expires_at)`);

    await q.query(`
      CREATE TABLE rooms (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        type varchar(8) NOT NULL CHECK (type IN ('public', 'private', 'dm')),
        name varchar(80),
        description varchar(500),
        owner_id uuid REFERENCES users(id) ON DELETE SET NULL,
        dm_key varchar(80),
        last_seq bigint NOT NULL DEFAULT 0,
        member_count int NOT NULL DEFAULT 0,
        last_activity_at timestamptz NOT NULL DEFAULT now(),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    // One DM room per ordered pair of users, enforced by the database, not by a read-then-write.
    await q.query(`CREATE UNIQUE INDEX rooms_dm_key_uq ON rooms (dm_key) WHERE dm_key IS NOT NULL`);
    // Public room listing: newest first, keyset-paginated.
    await q.query(`CREATE INDEX rooms_public_created_idx ON rooms (created_at DESC, id DESC) WHERE type = 'public'`);

    await q.query(`
      CREATE TABLE room_members (
        room_id uuid NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
        user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        role varchar(8) NOT NULL CHECK (role IN ('owner', 'admin', 'member')),
        last_read_seq bigint NOT NULL DEFAULT 0,
        joined_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (room_id, user_id)
      )`);
    await q.query(`CREATE INDEX room_members_user_idx ON room_members (user_id, room_id)`);

    await q.query(`
      CREATE TABLE messages (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        room_id uuid NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
        seq bigint NOT NULL,
        updated_seq bigint NOT NULL,
        sender_id uuid REFERENCES users(id) ON DELETE SET NULL,
        type varchar(8) NOT NULL DEFAULT 'text' CHECK (type IN ('text', 'image', 'file', 'audio', 'system')),
        content text,
        reply_to_id uuid REFERENCES messages(id) ON DELETE SET NULL,
        client_msg_id varchar(64),
        created_at timestamptz NOT NULL DEFAULT now(),
        edited_at timestamptz,
        deleted_at timestamptz
      )`);
    // History pages (before/after seq) and per-room ordering.
    await q.query(`CREATE UNIQUE INDEX messages_room_seq_uq ON messages (room_id, seq)`);
    // sync: everything changed in a room after a given seq.
    await q.query(`CREATE INDEX messages_room_updated_seq_idx ON messages (room_id, updated_seq)`);
    // Idempotent sends: a retried client_msg_id from the same sender finds the first message.
    await q.query(`CREATE UNIQUE INDEX messages_sender_client_msg_uq ON messages (sender_id, client_msg_id) WHERE client_msg_id IS NOT NULL`);
  }

  /** Drops everything {@link up} created, in dependency order. */
  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE messages`);
    await q.query(`DROP TABLE room_members`);
    await q.query(`DROP TABLE rooms`);
    await q.query(`DROP TABLE revoked_tokens`);
    await q.query(`DROP TABLE sessions`);
    await q.query(`DROP TABLE users`);
  }
}
