// The REST objects the client uses, named after API.md and taken from the generated OpenAPI types
// (schema.d.ts, made by `npm run api:types` from the server's Swagger document), so a change of the
// server's contract breaks `npm run typecheck` here instead of breaking people's pages.
import type { components } from './schema';

type Schemas = components['schemas'];

export type User = Schemas['UserDto'];
/** The caller's own profile (User plus email). */
export type Me = Schemas['UserDto'] & { email?: string };
export type UserSummary = Schemas['UserSummaryDto'];
/** `mention_count`: mentions of the caller after their read pointer (optional until every server sends it). */
export type Room = Schemas['RoomDto'] & { mention_count?: number };
export type Member = Schemas['MemberDto'];
export type Role = Member['role'];
/** `mentions`: ids of the room's members named with `@username` in the content. */
export type Message = Schemas['MessageDto'] & { mentions?: string[] };
export type Attachment = Schemas['AttachmentDto'];
export type Reaction = Schemas['ReactionDto'];
export type Upload = Schemas['UploadDto'];
export type SearchHit = Schemas['SearchHitDto'];
export type Session = Schemas['SessionDto'];
/** Someone on the caller's block list (`GET /auth/blocks`). */
export type BlockedUser = Schemas['BlockedUserDto'];
export type AuthResponse = Schemas['AuthResponseDto'];
export type ApiErrorBody = Schemas['ErrorResponseDto'];
export type ErrorDetail = Schemas['ErrorDetailDto'];
