import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { AuthPrincipal } from '../auth/auth-principal';
import { CurrentUser } from '../common/decorators/current-user.decorator';
import { AppError } from '../common/errors/app-error';
import { decodeCursor, DEFAULT_LIMIT, encodeCursor, PageQueryDto } from '../common/pagination/pagination';
import { uuidPipe } from '../common/pipes/uuid.pipe';
import { ApiErrors } from '../common/swagger/api-errors.decorator';
import { AccountAdminService, AdminUserRow } from './account-admin.service';
import { AdminGuard } from './admin.guard';
import {
  AdminSettingsDto,
  AdminUserDto,
  AdminUserPageDto,
  AdminUsersQueryDto,
  AuditPageDto,
  CreateInviteDto,
  InviteDto,
  InviteListDto,
} from './admin.dto';
import { PasswordResetIssuedDto } from '../auth/dto/password-reset.dto';
import { AuditService } from './audit.service';
import { InviteRow, RegistrationService } from './registration.service';

const badCursor = () => new AppError('INVALID_CURSOR', 'cursor is not a valid cursor; start again from the first page.', [{ field: 'cursor', problem: 'is not a valid cursor' }]);
const actorOf = (principal: AuthPrincipal) => `user:${principal.userId}`;

function presentUser(u: AdminUserRow): AdminUserDto {
  return {
    id: u.id,
    username: u.username,
    email: u.email,
    display_name: u.display_name,
    is_admin: u.is_admin,
    disabled_at: u.disabled_at ? new Date(u.disabled_at).toISOString() : null,
    last_seen_at: u.last_seen_at ? new Date(u.last_seen_at).toISOString() : null,
    created_at: new Date(u.created_at).toISOString(),
  };
}

function presentInvite(i: InviteRow): InviteDto {
  return {
    code: i.code,
    uses_left: i.uses_left,
    uses_total: i.uses_total,
    expires_at: i.expires_at ? new Date(i.expires_at).toISOString() : null,
    created_at: new Date(i.created_at).toISOString(),
  };
}

/**
 * Server administration over HTTP (`/api/v1/admin/*`), for server admins only (401 anonymous, 403
 * others). The same services as the `chat-server` CLI; every change is an audit row with the admin
 * as actor.
 */
@ApiTags('admin')
@ApiBearerAuth()
@UseGuards(AdminGuard)
@ApiErrors(401, 403, 429)
@Controller('admin')
export class AdminController {
  constructor(
    private readonly accounts: AccountAdminService,
    private readonly registration: RegistrationService,
    private readonly audit: AuditService,
  ) {}

  /** Lists and searches accounts, disabled ones included, with last activity. */
  @Get('users')
  @ApiOperation({ summary: 'List or search users (q: substring of username, display name or email; disabled=true: only disabled)' })
  @ApiOkResponse({ type: AdminUserPageDto })
  @ApiErrors(400)
  async users(@Query() query: AdminUsersQueryDto): Promise<AdminUserPageDto> {
    const limit = query.limit ?? DEFAULT_LIMIT;
    let after: { username: string; id: string } | undefined;
    if (query.cursor !== undefined) {
      const [username, id] = decodeCursor(query.cursor, ['text', 'uuid']);
      after = { username: username!, id: id! };
    }
    const rows = await this.accounts.list(query.q || undefined, query.disabled === 'true', limit + 1, after);
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return { items: page.map(presentUser), next_cursor: rows.length > limit && last ? encodeCursor([last.username, last.id]) : null };
  }

  /** Disables an account: sessions revoked, sockets closed with 4401, login refused. */
  @Post('users/:id/disable')
  @HttpCode(200)
  @ApiOperation({ summary: 'Disable an account (every session revoked, live sockets closed with 4401, login 403 ACCOUNT_DISABLED)' })
  @ApiOkResponse({ type: AdminUserDto })
  @ApiErrors(400, 404)
  async disable(@CurrentUser() principal: AuthPrincipal, @Param('id', uuidPipe('id')) id: string): Promise<AdminUserDto> {
    if (id === principal.userId) throw new AppError('BUSINESS_RULE', 'An administrator cannot disable their own account.');
    return presentUser((await this.accounts.disable(actorOf(principal), id)).user);
  }

  /** Enables a disabled account. */
  @Post('users/:id/enable')
  @HttpCode(200)
  @ApiOperation({ summary: 'Enable a disabled account' })
  @ApiOkResponse({ type: AdminUserDto })
  @ApiErrors(400, 404)
  async enable(@CurrentUser() principal: AuthPrincipal, @Param('id', uuidPipe('id')) id: string): Promise<AdminUserDto> {
    return presentUser(await this.accounts.enable(actorOf(principal), id));
  }

  /** Makes a user a server admin. */
  @Post('users/:id/promote')
  @HttpCode(200)
  @ApiOperation({ summary: 'Make a user a server admin' })
  @ApiOkResponse({ type: AdminUserDto })
  @ApiErrors(400, 404)
  async promote(@CurrentUser() principal: AuthPrincipal, @Param('id', uuidPipe('id')) id: string): Promise<AdminUserDto> {
    return presentUser(await this.accounts.promote(actorOf(principal), id));
  }

  /** Takes server admin away. */
  @Post('users/:id/demote')
  @HttpCode(200)
  @ApiOperation({ summary: 'Take server admin away from a user (not from oneself)' })
  @ApiOkResponse({ type: AdminUserDto })
  @ApiErrors(400, 404)
  async demote(@CurrentUser() principal: AuthPrincipal, @Param('id', uuidPipe('id')) id: string): Promise<AdminUserDto> {
    if (id === principal.userId) throw new AppError('BUSINESS_RULE', 'An administrator cannot demote themselves.');
    return presentUser(await this.accounts.demote(actorOf(principal), id));
  }

  /** Issues a one-time password reset token for a user. */
  @Post('users/:id/password-reset')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Issue a one-time password reset token (valid 24 h) for a user',
    description:
      'Hand the token to the user, who sets a new password with POST /auth/password-reset. Only its hash is stored; a new token replaces ' +
      'an unused earlier one. Until it is redeemed nothing changes: the current password and sessions stay valid. Redeeming does not ' +
      're-enable a disabled account.',
  })
  @ApiOkResponse({ type: PasswordResetIssuedDto })
  @ApiErrors(400, 404)
  async passwordReset(@CurrentUser() principal: AuthPrincipal, @Param('id', uuidPipe('id')) id: string): Promise<PasswordResetIssuedDto> {
    const { token, expiresAt } = await this.accounts.issuePasswordReset(actorOf(principal), id);
    return { reset_token: token, expires_at: expiresAt.toISOString() };
  }

  /** The registration mode in force. */
  @Get('settings')
  @ApiOperation({ summary: 'Server settings (registration mode)' })
  @ApiOkResponse({ type: AdminSettingsDto })
  async settings(): Promise<AdminSettingsDto> {
    return { registration: await this.registration.mode() };
  }

  /** Sets the registration mode (stored; it wins over REGISTRATION from then on). */
  @Patch('settings')
  @ApiOperation({ summary: 'Change server settings: registration open | invite | closed' })
  @ApiOkResponse({ type: AdminSettingsDto })
  @ApiErrors(400)
  async updateSettings(@CurrentUser() principal: AuthPrincipal, @Body() dto: AdminSettingsDto): Promise<AdminSettingsDto> {
    await this.registration.setMode(dto.registration);
    await this.audit.record(actorOf(principal), 'settings.update', 'registration', { registration: dto.registration });
    return { registration: await this.registration.mode() };
  }

  /** Invite codes that were not revoked. */
  @Get('invites')
  @ApiOperation({ summary: 'List invite codes (not revoked), newest first' })
  @ApiOkResponse({ type: InviteListDto })
  async invites(): Promise<InviteListDto> {
    return { items: (await this.registration.listInvites()).map(presentInvite), next_cursor: null };
  }

  /** Creates an invite code. */
  @Post('invites')
  @ApiOperation({ summary: 'Create an invite code (uses default 1, expires_in_seconds default 7 days)' })
  @ApiOkResponse({ type: InviteDto })
  @ApiErrors(400)
  async createInvite(@CurrentUser() principal: AuthPrincipal, @Body() dto: CreateInviteDto): Promise<InviteDto> {
    const uses = dto.uses ?? 1;
    const seconds = dto.expires_in_seconds ?? 7 * 86_400;
    const invite = await this.registration.createInvite(uses, seconds, principal.userId);
    await this.audit.record(actorOf(principal), 'invite.create', invite.code, { uses, expires_in_seconds: seconds });
    return presentInvite(invite);
  }

  /** Revokes an invite code. */
  @Delete('invites/:code')
  @ApiOperation({ summary: 'Revoke an invite code' })
  @ApiOkResponse({ schema: { properties: { code: { type: 'string' }, revoked: { type: 'boolean', example: true } } } })
  @ApiErrors(404)
  async revokeInvite(@CurrentUser() principal: AuthPrincipal, @Param('code') code: string): Promise<{ code: string; revoked: true }> {
    if (!(await this.registration.revokeInvite(code))) throw new AppError('NOT_FOUND', 'No live invite has this code.');
    await this.audit.record(actorOf(principal), 'invite.revoke', code);
    return { code, revoked: true };
  }

  /** The audit log, newest first. */
  @Get('audit')
  @ApiOperation({ summary: 'Audit log of administrative actions (API and CLI), newest first, cursor-paginated' })
  @ApiOkResponse({ type: AuditPageDto })
  @ApiErrors(400)
  async auditLog(@Query() query: PageQueryDto): Promise<AuditPageDto> {
    const limit = query.limit ?? DEFAULT_LIMIT;
    let before: string | undefined;
    if (query.cursor !== undefined) {
      const [id] = decodeCursor(query.cursor, ['text']);
      if (!/^\d{1,18}$/.test(id!)) throw badCursor();
      before = id;
    }
    const rows = await this.audit.list(limit + 1, before);
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      items: page.map((r) => ({ id: r.id, actor: r.actor, action: r.action, target: r.target, details: r.details, at: new Date(r.at).toISOString() })),
      next_cursor: rows.length > limit && last ? encodeCursor([last.id]) : null,
    };
  }
}
