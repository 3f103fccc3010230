import { ApiProperty } from '@nestjs/swagger';
import { IsUUID } from 'class-validator';

/** Body of `POST /dm`. */
export class OpenDmDto {
  @ApiProperty({ format: 'uuid', description: 'The other user' })
  @IsUUID('all', { message: 'must be a UUID' })
  recipient_id: string;
}
