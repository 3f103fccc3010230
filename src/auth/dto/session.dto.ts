import { ApiProperty } from '@nestjs/swagger';

/** One live session (a logged-in device) of the caller. */
export class SessionDto {
  @ApiProperty({ format: 'uuid', example: '0b7e4a8e-5d0c-4f4b-9a55-1d1f3c1e2a10' }) id: string;
  @ApiProperty({ example: 'Firefox on Linux', description: 'Label derived from the User-Agent of the last login or refresh' }) device: string;
  @ApiProperty({ nullable: true, type: String, example: 'Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0' }) user_agent: string | null;
  @ApiProperty({ nullable: true, type: String, example: '203.0.113.7', description: 'Client address of the last login or refresh' }) ip: string | null;
  @ApiProperty({ format: 'date-time', example: '2026-11-21T10:30:00.000Z', description: 'Login time' }) created_at: string;
  @ApiProperty({ format: 'date-time', example: '2026-11-21T11:45:00.000Z', description: 'Last login or refresh' }) last_used_at: string;
  @ApiProperty({ format: 'date-time', example: '2026-12-21T11:45:00.000Z', description: 'When the refresh token expires unless used' }) expires_at: string;
  @ApiProperty({ example: true, description: 'True for the session of the access token making this request' }) current: boolean;
}

/** A page of sessions. */
export class SessionPageDto {
  @ApiProperty({ type: [SessionDto] }) items: SessionDto[];
  @ApiProperty({ nullable: true, type: String, example: null, description: 'Pass as `cursor` for the next page; null on the last page' }) next_cursor: string | null;
}

/** Answer of `DELETE /auth/sessions/:id`. */
export class SessionRevokedDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: true }) revoked: true;
}
