import { IsNotEmpty, IsString, IsUUID, MaxLength } from 'class-validator';
import { SendMessageBodyDto } from '../../messages/dto/messages.dto';

/** Payload of `auth`. */
export class WsAuthDto {
  @IsString()
  @IsNotEmpty()
  @MaxLength(4096)
  token: string;
}

/** Payload of `join_room` and `leave_room`. */
export class WsRoomDto {
  @IsUUID('all', { message: 'must be a UUID' })
  room_id: string;
}

/** Payload of `send_message`: the REST body plus the room. */
export class WsSendMessageDto extends SendMessageBodyDto {
  @IsUUID('all', { message: 'must be a UUID' })
  room_id: string;
}
