import { ApiProperty } from '@nestjs/swagger';

/** A user on the caller's block list: the user summary plus when they were blocked. */
export class BlockedUserDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() username: string;
  @ApiProperty() display_name: string;
  @ApiProperty({ nullable: true, type: String }) avatar_url: string | null;
  @ApiProperty({ description: 'True when the account is disabled or deleted' }) deactivated: boolean;
  @ApiProperty({ format: 'date-time' }) blocked_at: string;
}

/** `GET /auth/blocks`: the whole block list (at most 1,000 entries, most recent first). */
export class BlockListDto {
  @ApiProperty({ type: [BlockedUserDto] }) items: BlockedUserDto[];
}

/** Answer of `PUT` / `DELETE /auth/blocks/:user_id`: the state after the call (repeats answer the same). */
export class BlockStateDto {
  @ApiProperty({ format: 'uuid' }) user_id: string;
  @ApiProperty({ description: 'True after PUT, false after DELETE' }) blocked: boolean;
}
