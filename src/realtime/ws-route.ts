import type { Type } from '@nestjs/common';
import type { ChatSocket } from './connection-registry';
import type { ClientFrame } from './ws-frame';

/** How the gateway answers one frame type (the gateway's route table, run by WsDispatcher). */
export interface FrameRoute {
  /** The payload's DTO: the payload is validated and transformed into it; none: handed over as parsed. */
  readonly dto?: Type<unknown>;
  /** `payload.room_id` must be a room of the caller, checked in memory by WsRoomMemberGuard. */
  readonly roomScoped?: boolean;
  /**
   * Handles the frame. @returns the ack's payload (undefined: no ack), or a promise of it.
   * @throws AppError, answered with an `error` frame.
   */
  readonly handle: (client: ChatSocket, payload: unknown, frame: ClientFrame) => unknown;
}

/** Every frame type the gateway answers, internal routes included. */
export type FrameRoutes = Readonly<Record<string, FrameRoute>>;

/** A route whose payload is validated into `dto` (typed for the handler). */
export function route<P>(dto: Type<P> | undefined, handle: (client: ChatSocket, payload: P, frame: ClientFrame) => unknown, options: { roomScoped?: boolean } = {}): FrameRoute {
  return { dto, handle: handle as FrameRoute['handle'], roomScoped: options.roomScoped };
}
