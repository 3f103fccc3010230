import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { RateLimit } from '../common/decorators/rate-limit.decorator';
import { CurrentUser } from '../common/decorators/current-user.decorator';
import { Public } from '../common/decorators/public.decorator';
import { PageQueryDto } from '../common/pagination/pagination';
import { uuidPipe } from '../common/pipes/uuid.pipe';
import { ApiErrors, ErrorResponseDto } from '../common/swagger/api-errors.decorator';
import { UserDto } from '../users/user.presenter';
import { AuthPrincipal } from './auth-principal';
import { AuthService, ClientInfo } from './auth.service';
import {
  AccountDeletedDto,
  AuthResponseDto,
  ChangeEmailDto,
  ChangePasswordDto,
  ChangeUsernameDto,
  DeleteAccountDto,
  LoginDto,
  LogoutResponseDto,
  PasswordChangedDto,
  RefreshDto,
  RegisterDto,
  UpdateProfileDto,
} from './dto/auth.dto';
import { PasswordResetDoneDto, RedeemPasswordResetDto } from './dto/password-reset.dto';
import { SessionPageDto, SessionRevokedDto } from './dto/session.dto';
import { AccountAdminService } from '../admin/account-admin.service';
import { SessionsService } from './sessions.service';

/** The User-Agent and client address of a request (Fastify's `ip` honours only TRUST_PROXY proxies). */
function clientInfo(req: FastifyRequest): ClientInfo {
  const ua = req.headers['user-agent'];
  return { userAgent: typeof ua === 'string' ? ua.slice(0, 255) : null, ip: req.ip ? req.ip.slice(0, 64) : null };
}

/** Documents one specific error of a route, in the shared error shape. */
const ApiError = (status: number, description: string) => ApiResponse({ status, description, type: ErrorResponseDto });

/** Accounts, tokens and sessions. */
@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly sessions: SessionsService,
    private readonly accounts: AccountAdminService,
  ) {}

  /** Creates an account and logs it in. */
  @Public()
  @RateLimit('auth')
  @Post('register')
  @ApiOperation({ summary: 'Register a new account and open its first session' })
  @ApiCreatedResponse({ type: AuthResponseDto })
  @ApiErrors(400, 409, 429)
  @ApiError(403, 'REGISTRATION_CLOSED (mode closed), INVITE_REQUIRED (mode invite, no invite_code) or INVITE_INVALID (unknown, used up, revoked or expired code)')
  @ApiError(503, 'HASHING_BUSY: too many password hashes queued; retry after Retry-After seconds')
  register(@Body() dto: RegisterDto, @Req() req: FastifyRequest): Promise<AuthResponseDto> {
    return this.auth.register(dto, clientInfo(req));
  }

  /** Logs in by username or email. */
  @Public()
  @RateLimit('auth')
  @Post('login')
  @HttpCode(200)
  @ApiOperation({ summary: 'Log in with username or email and password (opens a new session)' })
  @ApiOkResponse({ type: AuthResponseDto })
  @ApiErrors(400, 429)
  @ApiError(401, 'INVALID_CREDENTIALS: unknown login or wrong password (indistinguishable)')
  @ApiError(403, 'ACCOUNT_DISABLED: right password, but an administrator disabled the account')
  @ApiError(503, 'HASHING_BUSY: too many password hashes queued; retry after Retry-After seconds')
  login(@Body() dto: LoginDto, @Req() req: FastifyRequest): Promise<AuthResponseDto> {
    return this.auth.login(dto, clientInfo(req));
  }

  /** Rotates a refresh token into a new token pair. */
  @Public()
  @RateLimit('refresh')
  @Post('refresh')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Exchange a refresh token for a new pair',
    description:
      'The presented refresh token stops working. Presenting a refresh token that was already used revokes its whole session (REFRESH_TOKEN_REUSED). ' +
      'Limited per session (RATE_LIMIT_REFRESH_PER_MINUTE, default 60), not by the per-IP login budget; a 429 leaves the presented token valid. ' +
      'Invalid refresh tokens count toward the per-IP limit of failed authentications (RATE_LIMIT_AUTH_FAILURES_PER_MINUTE).',
  })
  @ApiOkResponse({ type: AuthResponseDto })
  @ApiErrors(400, 429)
  @ApiError(401, 'REFRESH_TOKEN_INVALID (unknown, expired, revoked, or an access token) or REFRESH_TOKEN_REUSED (session now revoked)')
  @ApiError(403, 'ACCOUNT_DISABLED: an administrator disabled the account')
  refresh(@Body() dto: RefreshDto, @Req() req: FastifyRequest): Promise<AuthResponseDto> {
    return this.auth.refresh(dto.refresh_token, clientInfo(req));
  }

  /** Sets a new password with a reset token an administrator issued. */
  @Public()
  @RateLimit('auth')
  @Post('password-reset')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Set a new password with a one-time reset token from an administrator (POST /admin/users/:id/password-reset)',
    description:
      'The new password must meet the policy. The token works once, for 24 hours. Every session of the user is revoked (tokens refused, ' +
      'sockets closed with 4401); log in again with the new password. A disabled account stays disabled.',
  })
  @ApiOkResponse({ type: PasswordResetDoneDto })
  @ApiErrors(429)
  @ApiError(400, 'VALIDATION_FAILED (password policy, missing fields) or RESET_TOKEN_INVALID (unknown, used or expired token)')
  @ApiError(503, 'HASHING_BUSY: too many password hashes queued; retry after Retry-After seconds')
  resetPassword(@Body() dto: RedeemPasswordResetDto): Promise<PasswordResetDoneDto> {
    return this.accounts.redeemPasswordReset(dto.reset_token, dto.new_password);
  }

  /** Revokes the current access token and its session. */
  @Post('logout')
  @HttpCode(200)
  @ApiBearerAuth()
  @ApiOperation({ summary: 'Log out: revoke this access token and its session; its WebSocket connections close with 4401' })
  @ApiOkResponse({ type: LogoutResponseDto })
  @ApiErrors(401, 429)
  logout(@CurrentUser() principal: AuthPrincipal): Promise<{ revoked: true }> {
    return this.auth.logout(principal);
  }

  /** The caller's own profile. */
  @Get('me')
  @ApiBearerAuth()
  @ApiOperation({ summary: 'The caller\'s own profile (with email)' })
  @ApiOkResponse({ type: UserDto })
  @ApiErrors(401, 429)
  me(@CurrentUser() principal: AuthPrincipal): Promise<UserDto> {
    return this.auth.me(principal);
  }

  /** Changes the caller's profile fields. */
  @Patch('me')
  @ApiBearerAuth()
  @ApiOperation({ summary: 'Update display_name, bio, avatar_url (http/https) or status (≤140 characters); null or "" clears the last three' })
  @ApiOkResponse({ type: UserDto })
  @ApiErrors(400, 401, 429)
  updateMe(@CurrentUser() principal: AuthPrincipal, @Body() dto: UpdateProfileDto): Promise<UserDto> {
    return this.auth.updateProfile(principal, dto);
  }

  /** Deletes (anonymises) the caller's account. */
  @Delete('me')
  @RateLimit('hashing')
  @ApiBearerAuth()
  @ApiOperation({
    summary: 'Delete the account (needs the password)',
    description: 'The account is anonymised: the username is freed (replaced by a tombstone), email and password are cleared, every session is revoked and its sockets closed. Messages stay, shown as from "Deleted user".',
  })
  @ApiOkResponse({ type: AccountDeletedDto })
  @ApiErrors(400, 401, 429)
  @ApiError(403, 'WRONG_PASSWORD')
  deleteMe(@CurrentUser() principal: AuthPrincipal, @Body() dto: DeleteAccountDto): Promise<AccountDeletedDto> {
    return this.auth.deleteAccount(principal, dto.password);
  }

  /** Renames the caller. */
  @Patch('username')
  @ApiBearerAuth()
  @ApiOperation({ summary: 'Change the username (same rules as at registration)' })
  @ApiOkResponse({ type: UserDto })
  @ApiErrors(400, 401, 429)
  @ApiError(409, 'USERNAME_TAKEN (compared case-insensitively)')
  changeUsername(@CurrentUser() principal: AuthPrincipal, @Body() dto: ChangeUsernameDto): Promise<UserDto> {
    return this.auth.changeUsername(principal, dto.username);
  }

  /** Changes the caller's email. */
  @Patch('email')
  @RateLimit('hashing')
  @ApiBearerAuth()
  @ApiOperation({ summary: 'Change the email (needs the current password)' })
  @ApiOkResponse({ type: UserDto })
  @ApiErrors(400, 401, 429)
  @ApiError(403, 'WRONG_PASSWORD')
  @ApiError(409, 'EMAIL_TAKEN (compared case-insensitively)')
  changeEmail(@CurrentUser() principal: AuthPrincipal, @Body() dto: ChangeEmailDto): Promise<UserDto> {
    return this.auth.changeEmail(principal, dto);
  }

  /** Changes the caller's password and logs out every other session. */
  @Patch('password')
  @RateLimit('hashing')
  @ApiBearerAuth()
  @ApiOperation({
    summary: 'Change the password (needs current_password)',
    description: 'The new password must meet the policy and differ from the current one. Every OTHER session is revoked (tokens refused, sockets closed with 4401); the calling session stays logged in.',
  })
  @ApiOkResponse({ type: PasswordChangedDto })
  @ApiErrors(400, 401, 429)
  @ApiError(403, 'WRONG_PASSWORD: current_password is wrong')
  changePassword(@CurrentUser() principal: AuthPrincipal, @Body() dto: ChangePasswordDto): Promise<PasswordChangedDto> {
    return this.auth.changePassword(principal, dto);
  }

  /** The caller's live sessions. */
  @Get('sessions')
  @ApiBearerAuth()
  @ApiOperation({ summary: 'List the caller\'s live sessions (devices), most recently used first; `current` marks this one' })
  @ApiOkResponse({ type: SessionPageDto })
  @ApiErrors(400, 401, 429)
  listSessions(@CurrentUser() principal: AuthPrincipal, @Query() query: PageQueryDto): Promise<SessionPageDto> {
    return this.sessions.list(principal, query.limit, query.cursor);
  }

  /** Revokes one of the caller's sessions. */
  @Delete('sessions/:id')
  @ApiBearerAuth()
  @ApiOperation({ summary: 'Revoke one of the caller\'s sessions: its tokens are refused and its sockets closed with 4401 at once' })
  @ApiOkResponse({ type: SessionRevokedDto })
  @ApiErrors(400, 401, 429)
  @ApiError(404, 'SESSION_NOT_FOUND: not a live session of the caller')
  revokeSession(@CurrentUser() principal: AuthPrincipal, @Param('id', uuidPipe('id')) id: string): Promise<SessionRevokedDto> {
    return this.sessions.revokeOwn(principal, id);
  }
}
