import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsBoolean, IsDefined, IsNumber, IsObject, IsOptional, IsString, MaxLength, ValidateNested } from 'class-validator';

/** Longest accepted push endpoint URL, in characters (real ones are 150–500). */
export const ENDPOINT_MAX_CHARS = 2048;

/** `keys` of a browser PushSubscription: the subscription's ECDH public key and auth secret. */
export class PushSubscriptionKeysDto {
  @ApiProperty({ description: 'base64url (no padding) uncompressed P-256 public key: 65 bytes, 87 characters', example: 'BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg7A8u-Ts1XbjhazAkj7I99e8QcYP7DkM' })
  @IsString()
  @MaxLength(200)
  p256dh: string;

  @ApiProperty({ description: 'base64url (no padding) auth secret: 16 bytes, 22 characters', example: 'tBHItJI5svbpez7KI4CCXg' })
  @IsString()
  @MaxLength(100)
  auth: string;
}

/** Body of `POST /push/subscriptions`: the browser's `PushSubscription.toJSON()`, plus the preview choice. */
export class CreatePushSubscriptionDto {
  @ApiProperty({
    description:
      'The push service URL from the browser. https only; http is accepted only for a loopback host (127.0.0.0/8, ::1, localhost) ' +
      'when NODE_ENV is not production. In production, hosts that are private, loopback or link-local addresses are refused.',
    maxLength: ENDPOINT_MAX_CHARS,
    example: 'https://fcm.googleapis.com/fcm/send/cWl4…',
  })
  @IsString()
  @MaxLength(ENDPOINT_MAX_CHARS)
  endpoint: string;

  @ApiProperty({ type: PushSubscriptionKeysDto })
  @IsDefined()
  @IsObject()
  @ValidateNested()
  @Type(() => PushSubscriptionKeysDto)
  keys: PushSubscriptionKeysDto;

  @ApiPropertyOptional({ description: 'Sent by PushSubscription.toJSON(); accepted and ignored', nullable: true, type: Number })
  @IsOptional()
  @IsNumber()
  expirationTime?: number | null;

  @ApiPropertyOptional({ description: 'Allow pushes to carry the start of the message text (`preview`). Default false: ids and names only.', default: false })
  @IsOptional()
  @IsBoolean()
  previews?: boolean;
}

/** Answer of `POST /push/subscriptions`. */
export class PushSubscriptionCreatedDto {
  @ApiProperty({ format: 'uuid', description: 'Id for DELETE /push/subscriptions/:id (the same id when the endpoint was already registered)' })
  id: string;
}

/** Answer of `GET /push/vapid-public-key`. */
export class VapidPublicKeyDto {
  @ApiProperty({ description: 'base64url VAPID public key for pushManager.subscribe({applicationServerKey})', example: 'BEl62iUYgUivxIkv69yViEuiBIa-Ib9-SkvMeAtA3LFgDzkrxZJjSgSnfckjBJuBkr3qBUYIHBQFLXYp5Nksh8U' })
  key: string;
}
