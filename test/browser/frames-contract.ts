// Type-level check, compiled by `npm run typecheck`: the browser client's WebSocket frame types
// (web/src/api/frames.ts) name exactly the server's events (src/realtime/events.ts), and every
// payload the server sends is assignable to what the client expects. A contract change on either
// side fails the type-check here. (Nothing runs; the file only has types.)
import type { ChangesResult } from '../../src/messages/messages.service';
import type { ServerEvents as ServerSide } from '../../src/realtime/events';
import type { ServerEvents as ClientSide, SyncRoomAnswer } from '../../web/src/api/frames';

type Assert<T extends true> = T;
type SameKeys<A, B> = [Exclude<keyof A, keyof B>, Exclude<keyof B, keyof A>] extends [never, never] ? true : { missing: Exclude<keyof A, keyof B>; extra: Exclude<keyof B, keyof A> };
/** The server types `sync_result` loosely (unknown); its rooms are ChangesResult, checked below. */
type Loose = 'sync_result';
/** Keys whose server payload the client type cannot hold. */
type Checked = Exclude<keyof ServerSide & keyof ClientSide, Loose>;
type Mismatched = { [K in Checked]: ServerSide[K] extends ClientSide[K] ? never : K }[Checked];

export type FrameNamesAgree = Assert<SameKeys<ServerSide, ClientSide>>;
export type FramePayloadsAgree = Assert<[Mismatched] extends [never] ? true : false>;
export type SyncAnswersAgree = Assert<ChangesResult extends SyncRoomAnswer ? true : false>;
