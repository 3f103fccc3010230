import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsEmail, IsNotEmpty, IsOptional, IsString, IsUrl, Matches, MaxLength, MinLength, ValidateIf } from 'class-validator';
import { UserDto } from '../../users/user.presenter';
import { IsAcceptablePassword } from '../password-policy';
import { MaxChars, trim, trimToNull } from './text.validators';

/** Username rule shared by register and rename: 3..32 of `[A-Za-z0-9_.-]`. */
export const USERNAME_PATTERN = /^[A-Za-z0-9_.-]{3,32}$/;
/** Prefix reserved for the tombstones of deleted accounts, so nobody can pose as one. */
export const RESERVED_USERNAME_PREFIX = /^deleted-/i;
/** Longest display name, bio and status, in characters. */
export const DISPLAY_NAME_MAX_CHARS = 64;
export const BIO_MAX_CHARS = 500;
export const STATUS_MAX_CHARS = 140;
export const AVATAR_URL_MAX_CHARS = 2048;

/** The username rules: pattern, then the reserved prefix. */
function IsUsername(): PropertyDecorator {
  return (target: object, key: string | symbol) => {
    IsString()(target, key);
    Matches(USERNAME_PATTERN, { message: 'must be 3 to 32 letters, digits, "_", "." or "-"' })(target, key);
    Matches(/^(?!deleted-)/i, { message: 'must not start with "deleted-" (reserved for deleted accounts)' })(target, key);
  };
}

/** The email rules (trimmed, at most 254 characters, an address). */
function IsEmailAddress(): PropertyDecorator {
  return (target: object, key: string | symbol) => {
    Transform(trim)(target, key);
    IsString()(target, key);
    MaxLength(254)(target, key);
    IsEmail({}, { message: 'must be an email' })(target, key);
  };
}

/** Body of `POST /auth/register`. */
export class RegisterDto {
  @ApiProperty({ example: 'alice', description: '3..32 of [A-Za-z0-9_.-], unique case-insensitively; may not start with "deleted-"' })
  @IsUsername()
  username: string;

  @ApiProperty({ example: 'alice@example.com', description: 'Unique case-insensitively' })
  @IsEmailAddress()
  email: string;

  @ApiProperty({ example: 'correct horse battery staple', description: '8..72 bytes (UTF-8), not one of the 1,000 most common passwords' })
  @IsString()
  @IsAcceptablePassword()
  password: string;

  @ApiPropertyOptional({ example: 'Alice', maxLength: DISPLAY_NAME_MAX_CHARS, description: 'Defaults to the username' })
  @IsOptional()
  @Transform(trim)
  @IsString()
  @MinLength(1, { message: 'must not be empty' })
  @MaxChars(DISPLAY_NAME_MAX_CHARS)
  display_name?: string;

  @ApiPropertyOptional({ example: 'k3Vd9xQ2mB7p', description: 'Needed when the server registers by invite only (REGISTRATION=invite)' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  invite_code?: string;
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

  @ApiProperty({ example: 'correct horse battery staple' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(1024)
  password: string;
}

/** Body of `POST /auth/refresh`. */
export class RefreshDto {
  @ApiProperty({ example: 'rt_Jx3n0Yk2c9bq6VZ8pL1rT4uW7yA0dF3hK6mN9qS2vX5', description: 'The refresh token of the last login or refresh' })
  @IsString()
  @IsNotEmpty()
  // Generous on purpose: anything that is not a current refresh token is a 401, not a 400.
  @MaxLength(4096)
  refresh_token: string;
}

/** Body of `PATCH /auth/me`: only the fields sent change; null (or an empty string) clears bio, avatar_url and status. */
export class UpdateProfileDto {
  @ApiPropertyOptional({ example: 'Alice Liddell', maxLength: DISPLAY_NAME_MAX_CHARS })
  @ValidateIf((_o, v) => v !== undefined)
  @Transform(trim)
  @IsString()
  @MinLength(1, { message: 'must not be empty' })
  @MaxChars(DISPLAY_NAME_MAX_CHARS)
  display_name?: string;

  @ApiPropertyOptional({ example: 'Curious about rabbit holes.', maxLength: BIO_MAX_CHARS, nullable: true, type: String })
  @Transform(trimToNull)
  @IsOptional()
  @IsString()
  @MaxChars(BIO_MAX_CHARS)
  bio?: string | null;

  @ApiPropertyOptional({ example: 'https://example.com/alice.png', description: 'An absolute http or https URL', nullable: true, type: String })
  @Transform(trimToNull)
  @IsOptional()
  @IsString()
  @MaxLength(AVATAR_URL_MAX_CHARS)
  @IsUrl({ protocols: ['http', 'https'], require_protocol: true, require_tld: false }, { message: 'must be an http or https URL' })
  avatar_url?: string | null;

  @ApiPropertyOptional({ example: 'In a meeting until 3 pm', maxLength: STATUS_MAX_CHARS, nullable: true, type: String })
  @Transform(trimToNull)
  @IsOptional()
  @IsString()
  @MaxChars(STATUS_MAX_CHARS)
  status?: string | null;
}

/** Body of `PATCH /auth/username`. */
export class ChangeUsernameDto {
  @ApiProperty({ example: 'alice_l', description: 'Same rules as at registration; 409 USERNAME_TAKEN when taken (case-insensitively)' })
  @IsUsername()
  username: string;
}

/** Body of `PATCH /auth/email`. */
export class ChangeEmailDto {
  @ApiProperty({ example: 'alice@wonderland.example', description: 'Unique case-insensitively' })
  @IsEmailAddress()
  email: string;

  @ApiProperty({ example: 'correct horse battery staple', description: 'The current password' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(1024)
  password: string;
}

/** Body of `PATCH /auth/password`. */
export class ChangePasswordDto {
  @ApiProperty({ example: 'correct horse battery staple' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(1024)
  current_password: string;

  @ApiProperty({ example: 'tr0ub4dor and three more words', description: '8..72 bytes (UTF-8), not a common password, different from the current one' })
  @IsString()
  @IsAcceptablePassword()
  new_password: string;
}

/** Body of `DELETE /auth/me`. */
export class DeleteAccountDto {
  @ApiProperty({ example: 'correct horse battery staple', description: 'The current password' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(1024)
  password: string;
}

/** Tokens plus the user, returned by register, login and refresh. */
export class AuthResponseDto {
  @ApiProperty({ type: UserDto }) user: UserDto;
  @ApiProperty({ example: 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI…', description: 'HS256 JWT, valid expires_in seconds' }) access_token: string;
  @ApiProperty({ example: 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI…', description: 'Same as access_token, for clients of the original API' }) token: string;
  @ApiProperty({ example: 'rt_Jx3n0Yk2c9bq6VZ8pL1rT4uW7yA0dF3hK6mN9qS2vX5', description: 'Opaque, single use: POST /auth/refresh returns a new one' }) refresh_token: string;
  @ApiProperty({ example: 'Bearer' }) token_type: 'Bearer';
  @ApiProperty({ example: 900, description: 'Access token lifetime in seconds' }) expires_in: number;
}

/** Answer of `POST /auth/logout`. */
export class LogoutResponseDto {
  @ApiProperty({ example: true }) revoked: true;
}

/** Answer of `PATCH /auth/password`. */
export class PasswordChangedDto {
  @ApiProperty({ example: true }) changed: true;
  @ApiProperty({ example: 2, description: 'How many other sessions were revoked' }) revoked_sessions: number;
}

/** Answer of `DELETE /auth/me`. */
export class AccountDeletedDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: true }) deleted: true;
}
