import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { isEmail, isURL, Matches, registerDecorator, ValidateIf, ValidationArguments } from 'class-validator';
import { IsText, Optional, OptionalNullable, TextAlso, Trim, TrimToNull } from '../../common/validation/text.validators';
import { UserDto } from '../../users/user.presenter';
import { IsAcceptablePassword, PASSWORD_INPUT_MAX_CHARS } from '../password-policy';

/** Username rule shared by register and rename: 3..32 of `[A-Za-z0-9_.-]`. */
export const USERNAME_PATTERN = /^[A-Za-z0-9_.-]{3,32}$/;
/** Prefix reserved for the tombstones of deleted accounts, so nobody can pose as one. */
export const RESERVED_USERNAME_PREFIX = /^deleted-/i;
/** Longest display name, bio and status, in characters. */
export const DISPLAY_NAME_MAX_CHARS = 64;
export const BIO_MAX_CHARS = 500;
export const STATUS_MAX_CHARS = 140;
export const AVATAR_URL_MAX_CHARS = 2048;

/** Longest email address (RFC 5321), also the longest `login`. */
export const EMAIL_MAX_CHARS = 254;

/** The username rules: text, pattern, then the reserved prefix; each only once the one before holds. */
function IsUsername(): PropertyDecorator {
  return (target: object, key: string | symbol) => {
    // Registered first, so its problem is the one reported for non-strings and control characters.
    IsText({ max: 64 })(target, key);
    Matches(USERNAME_PATTERN, { message: 'must be 3 to 32 letters, digits, "_", "." or "-"' })(target, key);
    Matches(/^(?!deleted-)/i, { message: 'must not start with "deleted-" (reserved for deleted accounts)' })(target, key);
  };
}

/** The email rules (trimmed, single-line text of at most 254 characters, an address). */
function IsEmailAddress(): PropertyDecorator {
  return (target: object, key: string | symbol) => {
    const rules = { min: 1, max: EMAIL_MAX_CHARS };
    Trim()(target, key);
    IsText(rules)(target, key);
    TextAlso('isEmail', rules, 'must be an email', (v) => isEmail(v))(target, key);
  };
}

/**
 * A password as typed at login or to confirm a change: single-line text (a NUL would also end the
 * string bcrypt sees), not empty. No byte limit here: over 72 bytes is answered like a wrong password.
 */
function IsPasswordInput(): PropertyDecorator {
  return (target: object, key: string | symbol) => IsText({ min: 1, max: PASSWORD_INPUT_MAX_CHARS })(target, key);
}

/** Body of `POST /auth/register`. */
export class RegisterDto {
  @ApiProperty({ example: 'alice', description: '3..32 of [A-Za-z0-9_.-], unique case-insensitively; may not start with "deleted-"' })
  @IsUsername()
  username: string;

  @ApiProperty({ example: 'alice@example.com', description: 'Unique case-insensitively' })
  @IsEmailAddress()
  email: string;

  @ApiProperty({ example: 'correct horse battery staple', description: '8..72 bytes (UTF-8), no control characters, not one of the 1,000 most common passwords' })
  @IsAcceptablePassword()
  password: string;

  @ApiPropertyOptional({ example: 'Alice', maxLength: DISPLAY_NAME_MAX_CHARS, description: 'Defaults to the username; one line, 1..64 characters after trimming' })
  @Optional()
  @Trim()
  @IsText({ min: 1, max: DISPLAY_NAME_MAX_CHARS })
  display_name?: string;

  @ApiPropertyOptional({ example: 'k3Vd9xQ2mB7p', description: 'Needed when the server registers by invite only (REGISTRATION=invite)' })
  @Optional()
  @IsText({ min: 1, max: 64 })
  invite_code?: string;
}

/**
 * Body of `POST /auth/login`: exactly one of `login`, `email` or `username`, plus the password. Each
 * identifier that is present is validated as text whatever the others are, so no combination of
 * types reaches the service unchecked.
 */
export class LoginDto {
  @ApiPropertyOptional({ example: 'alice', description: 'Username or email (send exactly one of login, email, username)' })
  @ValidateIf((o: LoginDto) => o.login !== undefined || (o.email === undefined && o.username === undefined))
  @IsText({ min: 1, max: EMAIL_MAX_CHARS })
  @IsOneIdentifier()
  login?: string;

  @ApiPropertyOptional({ example: 'alice@example.com' })
  @Optional()
  @IsText({ min: 1, max: EMAIL_MAX_CHARS })
  @IsOneIdentifier()
  email?: string;

  @ApiPropertyOptional({ example: 'alice' })
  @Optional()
  @IsText({ min: 1, max: 64 })
  @IsOneIdentifier()
  username?: string;

  @ApiProperty({ example: 'correct horse battery staple', description: 'Over 72 bytes is answered 401 like a wrong password (bcrypt would ignore the rest)' })
  @IsPasswordInput()
  password: string;
}

/** Only one of `login`, `email` and `username` may be sent (two could name different accounts). */
function IsOneIdentifier(): PropertyDecorator {
  return (target: object, propertyName: string | symbol) =>
    registerDecorator({
      name: 'isOneIdentifier',
      target: target.constructor,
      propertyName: propertyName as string,
      options: { message: (args: ValidationArguments) => `${args.property} cannot be combined with another identifier: send exactly one of login, email or username` },
      validator: {
        validate: (_value: unknown, args: ValidationArguments) => {
          const o = args.object as LoginDto;
          return [o.login, o.email, o.username].filter((v) => v !== undefined).length === 1;
        },
      },
    });
}

/** Body of `POST /auth/refresh`. */
export class RefreshDto {
  @ApiProperty({ example: 'rt_Jx3n0Yk2c9bq6VZ8pL1rT4uW7yA0dF3hK6mN9qS2vX5', description: 'The refresh token of the last login or refresh' })
  // Generous on purpose: anything that is not a current refresh token is a 401, not a 400.
  @IsText({ min: 1, max: 4096 })
  refresh_token: string;
}

/** Body of `PATCH /auth/me`: only the fields sent change; null (or an empty string) clears bio, avatar_url and status. */
export class UpdateProfileDto {
  @ApiPropertyOptional({ example: 'Alice Liddell', maxLength: DISPLAY_NAME_MAX_CHARS, description: 'One line, 1..64 characters after trimming; cannot be null' })
  @Optional()
  @Trim()
  @IsText({ min: 1, max: DISPLAY_NAME_MAX_CHARS })
  display_name?: string;

  @ApiPropertyOptional({
    example: 'Curious about rabbit holes.',
    maxLength: BIO_MAX_CHARS,
    nullable: true,
    type: String,
    description: 'Up to 500 characters, line breaks allowed; null or "" clears it',
  })
  @TrimToNull()
  @OptionalNullable()
  @IsText({ max: BIO_MAX_CHARS, multiline: true })
  bio?: string | null;

  @ApiPropertyOptional({ example: 'https://example.com/alice.png', description: 'An absolute http or https URL; null or "" clears it', nullable: true, type: String })
  @TrimToNull()
  @OptionalNullable()
  @IsText({ max: AVATAR_URL_MAX_CHARS })
  @TextAlso('isUrl', { max: AVATAR_URL_MAX_CHARS }, 'must be an http or https URL', (v) =>
    isURL(v, { protocols: ['http', 'https'], require_protocol: true, require_tld: false }),
  )
  avatar_url?: string | null;

  @ApiPropertyOptional({ example: 'In a meeting until 3 pm', maxLength: STATUS_MAX_CHARS, nullable: true, type: String, description: 'One line, up to 140 characters; null or "" clears it' })
  @TrimToNull()
  @OptionalNullable()
  @IsText({ max: STATUS_MAX_CHARS })
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
  @IsPasswordInput()
  password: string;
}

/** Body of `PATCH /auth/password`. */
export class ChangePasswordDto {
  @ApiProperty({ example: 'correct horse battery staple' })
  @IsPasswordInput()
  current_password: string;

  @ApiProperty({ example: 'tr0ub4dor and three more words', description: '8..72 bytes (UTF-8), no control characters, not a common password, different from the current one' })
  @IsAcceptablePassword()
  new_password: string;
}

/** Body of `DELETE /auth/me`. */
export class DeleteAccountDto {
  @ApiProperty({ example: 'correct horse battery staple', description: 'The current password' })
  @IsPasswordInput()
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
