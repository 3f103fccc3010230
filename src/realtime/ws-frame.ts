import { JsonTooDeepError, parseBoundedJson, topLevelScalar } from '../common/json/bounded-json';

/** A parsed client frame as handed to gateway handlers (`{type, id?, payload}`). */
export interface ClientFrame {
  type: string;
  id?: string | number;
  payload: Record<string, unknown>;
  /** Why the frame could not be used, for the internal `__invalid_frame` route. */
  problem?: string;
}

/** Client → server frame types the gateway handles. */
export const CLIENT_FRAME_TYPES = new Set([
  'auth',
  'join_room',
  'leave_room',
  'send_message',
  'edit_message',
  'delete_message',
  'typing',
  'stop_typing',
  'mark_read',
  'sync',
  'ping',
]);

/** Internal routes for frames that cannot be dispatched; they answer with an `error` frame. */
export const INVALID_FRAME = '__invalid_frame';
export const UNKNOWN_TYPE = '__unknown_type';

/**
 * The top-level `id` of a frame refused for its depth, so the error answers the request it refuses;
 * read by a linear scan (parsing a deep frame whole would cost tens of ms).
 */
function idOfDeepFrame(text: string): string | number | undefined {
  const id = topLevelScalar(text, 'id');
  return id !== undefined && String(id).length <= 64 ? id : undefined;
}

/**
 * The gateway's frame parser: turns a raw text frame into `{event, data}` for WsDispatcher.
 * Bad JSON, JSON nested deeper than MAX_JSON_DEPTH (refused by a linear scan before parsing), a
 * non-object frame or payload, and unknown types are routed to internal handlers so the client gets
 * an `error` frame and the connection stays open.
 */
export function parseClientFrame(raw: unknown): { event: string; data: ClientFrame } {
  const text = Buffer.isBuffer(raw) ? raw.toString('utf8') : String(raw);
  let parsed: unknown;
  try {
    parsed = parseBoundedJson(text);
  } catch (err) {
    if (err instanceof JsonTooDeepError) {
      const problem = `frame must not nest arrays or objects deeper than ${err.maxDepth} levels`;
      return { event: INVALID_FRAME, data: { type: INVALID_FRAME, id: idOfDeepFrame(text), payload: {}, problem } };
    }
    return { event: INVALID_FRAME, data: { type: INVALID_FRAME, payload: {}, problem: 'frame is not valid JSON' } };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return { event: INVALID_FRAME, data: { type: INVALID_FRAME, payload: {}, problem: 'frame must be a JSON object' } };
  }
  const frame = parsed as { type?: unknown; id?: unknown; payload?: unknown };
  const id = typeof frame.id === 'string' || typeof frame.id === 'number' ? frame.id : undefined;
  if (frame.id !== undefined && (id === undefined || String(id).length > 64)) {
    return { event: INVALID_FRAME, data: { type: INVALID_FRAME, payload: {}, problem: 'id must be a string or number of at most 64 characters' } };
  }
  if (typeof frame.type !== 'string') {
    return { event: INVALID_FRAME, data: { type: INVALID_FRAME, id, payload: {}, problem: 'type must be a string' } };
  }
  if (frame.payload !== undefined && (typeof frame.payload !== 'object' || frame.payload === null || Array.isArray(frame.payload))) {
    return { event: INVALID_FRAME, data: { type: frame.type, id, payload: {}, problem: 'payload must be a JSON object' } };
  }
  const data: ClientFrame = { type: frame.type, id, payload: (frame.payload as Record<string, unknown>) ?? {} };
  if (!CLIENT_FRAME_TYPES.has(frame.type)) return { event: UNKNOWN_TYPE, data };
  return { event: frame.type, data };
}
