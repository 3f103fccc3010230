import { Injectable } from '@nestjs/common';
import { AppError } from '../common/errors/app-error';
import { ChangesResult, MessagesService } from '../messages/messages.service';
import { ChatSocket } from './connection-registry';
import { encodeFrame } from './events';

/** Most changes one `sync` returns per room (API.md). */
export const SYNC_MAX_PER_ROOM = 500;
/** Most changes one `sync` frame returns over all its rooms. */
export const SYNC_MAX_PER_FRAME = 2000;
/** Largest `sync_result` frame, in bytes of UTF-8 JSON. */
export const SYNC_MAX_FRAME_BYTES = 1024 * 1024;
/** Rooms of one `sync` read at the same time (each is one short REPEATABLE READ transaction). */
export const SYNC_ROOMS_IN_PARALLEL = 4;
/** Bytes kept free for the frame's envelope (`{"type":"sync_result","id":…,"payload":{"rooms":[…]}}`). */
const ENVELOPE_BYTES = 256;

/** One room's answer in a `sync_result`: its changes, or why the caller cannot read it. */
export type SyncRoomAnswer = ChangesResult | { room_id: string; error: { code: string; message: string } };

/**
 * Builds the answer to a `sync` frame with bounded work: a few rooms at a time, at most
 * SYNC_MAX_PER_ROOM changes per room and SYNC_MAX_PER_FRAME in all, and at most SYNC_MAX_FRAME_BYTES
 * of JSON. A room cut by a budget answers `has_more` with `last_seq` at the last change it includes
 * (unchanged when it includes none), so the client asks again from there without a gap. Stops
 * reading as soon as the socket is no longer open (a closed or slow client gets nothing computed).
 */
@Injectable()
export class WsSync {
  constructor(private readonly messages: MessagesService) {}

  /**
   * @param rooms last seq seen per room id
   * @returns the encoded `sync_result` frame, or null when the socket closed before it was ready
   */
  async answer(client: ChatSocket, userId: string, rooms: Record<string, number>, id: string | undefined): Promise<string | null> {
    const entries = Object.entries(rooms);
    const answers: SyncRoomAnswer[] = [];
    let count = SYNC_MAX_PER_FRAME;
    let bytes = SYNC_MAX_FRAME_BYTES - ENVELOPE_BYTES - Buffer.byteLength(id ?? '') * 6;
    for (let i = 0; i < entries.length; i += SYNC_ROOMS_IN_PARALLEL) {
      if (client.readyState !== 1) return null;
      const chunk = entries.slice(i, i + SYNC_ROOMS_IN_PARALLEL);
      const perRoom = Math.min(SYNC_MAX_PER_ROOM, Math.floor(count / chunk.length));
      const exhausted = perRoom < 1 || bytes <= 0;
      const results = await Promise.all(
        chunk.map(async ([roomId, lastSeq]): Promise<SyncRoomAnswer> => {
          if (exhausted) return { room_id: roomId, messages: [], has_more: true, last_seq: lastSeq };
          try {
            return await this.messages.changesSince(userId, roomId, lastSeq, perRoom);
          } catch (err) {
            if (err instanceof AppError) return { room_id: roomId, error: { code: err.code, message: err.message } };
            throw err;
          }
        }),
      );
      // Rooms are fitted in order, each taking what is left of the byte budget.
      for (let j = 0; j < results.length; j++) {
        const fitted = fitRoom(results[j], chunk[j][1], bytes);
        bytes -= fitted.bytes + 1;
        if ('messages' in fitted.answer) count -= fitted.answer.messages.length;
        answers.push(fitted.answer);
      }
    }
    if (client.readyState !== 1) return null;
    return encodeFrame('sync_result', { rooms: answers }, id);
  }
}

/**
 * Cuts one room's answer to at most `budget` bytes of JSON: keeps the longest prefix of its changes
 * that fits, with `has_more` and the cursor at the last change kept. An answer without changes (or an
 * error) is kept whole; its few bytes are counted.
 */
function fitRoom(answer: SyncRoomAnswer, lastSeqAsked: number, budget: number): { answer: SyncRoomAnswer; bytes: number } {
  if (!('messages' in answer) || answer.messages.length === 0) return { answer, bytes: Buffer.byteLength(JSON.stringify(answer)) };
  // Overhead of the room entry without its changes, with the largest cursor and `false` spelled out.
  let used = Buffer.byteLength(JSON.stringify({ ...answer, messages: [], has_more: false, last_seq: Number.MAX_SAFE_INTEGER }));
  let kept = 0;
  for (const message of answer.messages) {
    const size = Buffer.byteLength(JSON.stringify(message)) + 1;
    if (used + size > budget) break;
    used += size;
    kept++;
  }
  if (kept === answer.messages.length) return { answer, bytes: used };
  const messages = answer.messages.slice(0, kept);
  const last_seq = kept > 0 ? messages[kept - 1].updated_seq : lastSeqAsked;
  return { answer: { room_id: answer.room_id, messages, has_more: true, last_seq }, bytes: used };
}
