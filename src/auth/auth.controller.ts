import { Body, Controller, Get, HttpCode, Post, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { AuthRateLimit } from '../common/decorators/auth-rate-limit.decorator';
import { CurrentUser } from '../common/decorators/current-user.decorator';
import { Public } from '../common/decorators/public.decorator';
import { ApiErrors } from '../common/swagger/api-errors.decorator';
import { UserDto } from '../users/user.presenter';
import { AuthPrincipal } from './auth-principal';
import { AuthService, ClientInfo } from './auth.service';
import { AuthResponseDto, LoginDto, LogoutResponseDto, RefreshDto, RegisterDto } from './dto/auth.dto';

function clientInfo(req: FastifyRequest): ClientInfo {
  const ua = req.headers['user-agent'];
  return { userAgent: typeof ua === 'string' ? ua.slice(0, 255) : null, ip: req.ip ?? null };
}

/** Accounts and tokens. */
@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  /** Creates an account and logs it in. */
  @Public()
  @AuthRateLimit()
  @Post('register')
  @ApiOperation({ summary: 'Register a new account' })
  @ApiCreatedResponse({ type: AuthResponseDto })
  @ApiErrors(400, 409, 429)
  register(@Body() dto: RegisterDto, @Req() req: FastifyRequest): Promise<AuthResponseDto> {
    return this.auth.register(dto, clientInfo(req));
  }

  /** Logs in by username or email. */
  @Public()
  @AuthRateLimit()
  @Post('login')
  @HttpCode(200)
  @ApiOperation({ summary: 'Log in with username or email and password' })
  @ApiOkResponse({ type: AuthResponseDto })
  @ApiErrors(400, 401, 429)
  login(@Body() dto: LoginDto, @Req() req: FastifyRequest): Promise<AuthResponseDto> {
    return this.auth.login(dto, clientInfo(req));
  }

  /** Rotates a refresh token into a new token pair. */
  @Public()
  @AuthRateLimit()
  @Post('refresh')
  @HttpCode(200)
  @ApiOperation({ summary: 'Exchange a refresh token for a new pair (rotation; reuse revokes the session)' })
  @ApiOkResponse({ type: AuthResponseDto })
  @ApiErrors(400, 401, 429)
  refresh(@Body() dto: RefreshDto): Promise<AuthResponseDto> {
    return this.auth.refresh(dto.refresh_token);
  }

  /** Revokes the current access token and its session. */
  @Post('logout')
  @HttpCode(200)
  @ApiBearerAuth()
  @ApiOperation({ summary: 'Log out: revoke this access token and its session' })
  @ApiOkResponse({ type: LogoutResponseDto })
  @ApiErrors(401)
  logout(@CurrentUser() principal: AuthPrincipal): Promise<{ revoked: true }> {
    return this.auth.logout(principal);
  }

  /** The caller's own profile. */
  @Get('me')
  @ApiBearerAuth()
  @ApiOperation({ summary: 'The caller\'s own profile (with email)' })
  @ApiOkResponse({ type: UserDto })
  @ApiErrors(401)
  me(@CurrentUser() principal: AuthPrincipal): Promise<UserDto> {
    return this.auth.me(principal);
  }
}
