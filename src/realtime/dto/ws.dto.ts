import { Transform } from 'class-transformer';
import { IsInt, IsObject, IsUUID, Max, Min, registerDecorator } from 'class-validator';
import { lowerCaseIds } from '../../common/pipes/uuid.pipe';
import { IsText, OptionalNullable } from '../../common/validation/text.validators';
import { EditMessageDto, SendMessageBodyDto } from '../../messages/dto/messages.dto';


/** Payload of `auth`. */
export class WsAuthDto {
  @IsText({ min: 1, max: 4096 })
  token: string;
}

/** Payload of `join_room` and `leave_room`. */
export class WsRoomDto {
  @Transform(lowerCaseIds)
  @IsUUID('all', { message: 'must be a UUID' })
  room_id: string;
}

/** Payload of `send_message`: the REST body plus the room. */
export class WsSendMessageDto extends SendMessageBodyDto {
  @Transform(lowerCaseIds)
  @IsUUID('all', { message: 'must be a UUID' })
  room_id: string;
}

/** Payload of `edit_message`: the REST body plus the message. */
export class WsEditMessageDto extends EditMessageDto {
  @Transform(lowerCaseIds)
  @IsUUID('all', { message: 'must be a UUID' })
  message_id: string;
}

/** Payload of `delete_message`. */
export class WsDeleteMessageDto {
  @Transform(lowerCaseIds)
  @IsUUID('all', { message: 'must be a UUID' })
  message_id: string;
}

/** Payload of `mark_read`; without `seq` (or with null) everything in the room is read, like `POST /rooms/:id/read` without a body. */
export class WsMarkReadDto {
  @Transform(lowerCaseIds)
  @IsUUID('all', { message: 'must be a UUID' })
  room_id: string;

  // Left out or null (as over REST): everything in the room is read.
  @OptionalNullable()
  @IsInt({ message: 'must be a non-negative integer' })
  @Min(0, { message: 'must be a non-negative integer' })
  @Max(Number.MAX_SAFE_INTEGER, { message: 'must be a non-negative integer' })
  seq?: number | null;
}

/** Most rooms one `sync` frame may ask about. */
export const SYNC_MAX_ROOMS = 200;

/** Payload of `sync`: the last seq the client has seen, per room id. */
export class WsSyncDto {
  @IsObject({ message: 'must be an object of room id → last seq seen' })
  @IsSyncRooms()
  rooms: Record<string, number>;
}

/** Validates `{ "<uuid>": <non-negative integer>, ... }` with at most SYNC_MAX_ROOMS entries. */
function IsSyncRooms(): PropertyDecorator {
  return (target: object, propertyName: string | symbol) =>
    registerDecorator({
      name: 'isSyncRooms',
      target: target.constructor,
      propertyName: propertyName as string,
      options: { message: `must map at most ${SYNC_MAX_ROOMS} room ids (UUIDs) to non-negative integer seqs` },
      validator: {
        validate(value: unknown) {
          if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
          const entries = Object.entries(value);
          return (
            entries.length <= SYNC_MAX_ROOMS &&
            entries.every(([id, seq]) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id) && Number.isSafeInteger(seq) && (seq as number) >= 0)
          );
        },
      },
    });
}
