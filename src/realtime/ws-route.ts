import type { Type } from '@nestjs/common';
import type { ChatSocket } from './connection-registry';
import type { ClientFrame } from './ws-frame';

/** Metadata key set on a route's handler when `payload.room_id` must be a room of the caller (read by WsRoomMemberGuard). */
export const ROOM_SCOPED_KEY = 'wsRoomScoped';

/** How the gateway answers one frame type (the gateway's route table, run by WsDispatcher). */
export interface FrameRoute {
  /** The payload's DTO: the payload is validated and transformed into it by the gateway's pipes; none: handed over as parsed. */
  readonly dto?: Type<unknown>;
  /**
   * Handles the frame. @returns the ack's payload (undefined: no ack), or a promise of it.
   * @throws AppError, answered with an `error` frame by the gateway's exception filter.
   */
  readonly handle: (client: ChatSocket, payload: unknown, frame: ClientFrame) => unknown;
}

/** Every frame type the gateway answers, internal routes included. */
export type FrameRoutes = Readonly<Record<string, FrameRoute>>;

/**
 * A route whose payload is validated into `dto` (typed for the handler). `roomScoped` marks the
 * handler with {@link ROOM_SCOPED_KEY}, as a method decorator would, for WsRoomMemberGuard.
 */
export function route<P>(dto: Type<P> | undefined, handle: (client: ChatSocket, payload: P, frame: ClientFrame) => unknown, options: { roomScoped?: boolean } = {}): FrameRoute {
  if (options.roomScoped) Reflect.defineMetadata(ROOM_SCOPED_KEY, true, handle);
  return { dto, handle: handle as FrameRoute['handle'] };
}
