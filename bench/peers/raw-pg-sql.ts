/**
 * raw-pg's one statement, apart so that bench/tools/batch-statement.ts can time it beside ours
 * without starting the peer.
 */

/** One batch: input order is seq order per room; answers `ord`, the new id and seq. */
export const STORE = `WITH input AS (
    SELECT * FROM unnest($1::uuid[], $2::text[]) WITH ORDINALITY AS t(room_id, content, ord)),
  counts AS (SELECT room_id, count(*) AS n FROM input GROUP BY room_id),
  bumped AS (
    UPDATE rooms r SET last_seq = r.last_seq + c.n, last_activity_at = now() FROM counts c
    WHERE r.id = c.room_id RETURNING r.id, r.last_seq),
  numbered AS (
    SELECT i.ord, i.room_id, i.content, gen_random_uuid() AS id,
           b.last_seq - c.n + row_number() OVER (PARTITION BY i.room_id ORDER BY i.ord) AS seq
    FROM input i JOIN counts c ON c.room_id = i.room_id JOIN bumped b ON b.id = i.room_id),
  ins AS (
    INSERT INTO messages (id, room_id, seq, updated_seq, sender_id, type, content)
    SELECT id, room_id, seq, seq, $3, 'text', content FROM numbered)
  SELECT ord, id, seq FROM numbered ORDER BY ord`;
