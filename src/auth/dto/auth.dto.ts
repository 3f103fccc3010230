import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsEmail, IsNotEmpty, IsOptional, IsString, Matches, MaxLength, MinLength, ValidateIf } from 'class-validator';
import { UserDto } from '../../users/user.presenter';
import { IsPasswordLength } from '../password-policy';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

/** Username rule shared by register and rename: 3..32 of `[A-Za-z0-9_.-]`. */
export const USERNAME_PATTERN = /^[A-Za-z0-9_.-]{3,32}$/;

/** Body of `POST /auth/register`. */
export class RegisterDto {
  @ApiProperty({ example: 'alice', description: '3..32 of [A-Za-z0-9_.-], unique case-insensitively' })
  @IsString()
  @Matches(USERNAME_PATTERN, { message: 'must be 3 to 32 letters, digits, "_", "." or "-"' })
  username: string;

  @ApiProperty({ example: 'alice@example.com' })
  @Transform(trim)
  @IsString()
  @MaxLength(254)
  @IsEmail({}, { message: 'must be an email' })
  email: string;

  @ApiProperty({ example: 'correct horse battery staple', description: '8..72 bytes (UTF-8)' })
  @IsString()
  @IsPasswordLength()
  password: string;

  @ApiPropertyOptional({ example: 'Alice', maxLength: 64 })
  @IsOptional()
  @Transform(trim)
  @IsString()
  @MinLength(1, { message: 'must not be empty' })
  @MaxLength(64)
  display_name?: string;
}

/** Body of `POST /auth/login`: one of `login`, `email` or `username`, plus the password. */
export class LoginDto {
  @ApiPropertyOptional({ example: 'alice', description: 'Username or email' })
  @ValidateIf((o: LoginDto) => o.email === undefined && o.username === undefined)
  @IsString({ message: 'must be a string (or send email or username)' })
  @IsNotEmpty()
  @MaxLength(254)
  login?: string;

  @ApiPropertyOptional({ example: 'alice@example.com' })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(254)
  email?: string;

  @ApiPropertyOptional({ example: 'alice' })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(64)
  username?: string;

  @ApiProperty()
  @IsString()
  @IsNotEmpty()
  @MaxLength(1024)
  password: string;
}

/** Body of `POST /auth/refresh`. */
export class RefreshDto {
  @ApiProperty({ example: 'rt_…' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  refresh_token: string;
}

/** Tokens plus the user, returned by register, login and refresh. */
export class AuthResponseDto {
  @ApiProperty({ type: UserDto }) user: UserDto;
  @ApiProperty() access_token: string;
  @ApiProperty({ description: 'Same as access_token, for clients of the original API' }) token: string;
  @ApiProperty() refresh_token: string;
  @ApiProperty({ example: 'Bearer' }) token_type: 'Bearer';
  @ApiProperty({ example: 900, description: 'Access token lifetime in seconds' }) expires_in: number;
}

/** Answer of `POST /auth/logout`. */
export class LogoutResponseDto {
  @ApiProperty({ example: true }) revoked: true;
}
