import { Command, CommandRunner, Option, SubCommand } from 'nest-commander';
import { randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';
import type { AccountAdminService, AdminUserRow } from '../admin/account-admin.service';
import { ConfigError } from '../config/app-config';
import { describeConfig, mergeSources, validateEverySource } from '../config/config-sources';
import { cliActor, cliConfig, CliError, iso, printTable, readStdin, runCommand, withDataSource, withServices } from './cli-context';

/** Options every command takes. */
interface ConfigOptions {
  config?: string;
}

/** Longest invite lifetime accepted, in seconds (365 days; RegistrationService checks it too). */
const MAX_INVITE_SECONDS = 365 * 24 * 3600;

/* eslint-disable @typescript-eslint/no-require-imports -- services load when a command runs, so `--help` stays quick */
const admin = () => (require('../admin/account-admin.service') as typeof import('../admin/account-admin.service')).AccountAdminService;
const registration = () => (require('../admin/registration.service') as typeof import('../admin/registration.service')).RegistrationService;
const audit = () => (require('../admin/audit.service') as typeof import('../admin/audit.service')).AuditService;
const adminRepository = () => (require('../admin/admin.repository') as typeof import('../admin/admin.repository')).AdminRepository;
const prune = () => (require('../admin/prune.service') as typeof import('../admin/prune.service')).PruneService;

/** Base of every command: the shared `--config FILE` option. */
abstract class ConfiguredCommand extends CommandRunner {
  @Option({ flags: '-c, --config <file>', description: 'YAML configuration file (else CONFIG_PATH, else ./config.yaml when present)' })
  parseConfig(value: string): string {
    return value;
  }
}

/** A command that only groups subcommands: run alone, it says which ones exist and fails. */
abstract class GroupCommand extends CommandRunner {
  /** e.g. `users needs a subcommand (list, create)`. */
  protected abstract readonly usage: string;

  async run(): Promise<void> {
    process.stderr.write(`error: ${this.usage}; see --help.\n`);
    process.exitCode = 1;
  }
}

/** Parses a positive integer option. @throws CliError */
function positiveInt(name: string, value: string, max: number): number {
  if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > max) throw new CliError(`--${name} must be an integer between 1 and ${max}, got "${value}".`);
  return Number(value);
}

/** Parses a duration like 90s, 30m, 12h, 7d into seconds. @throws CliError */
export function parseDuration(value: string): number {
  const m = /^(\d+)\s*([smhd])$/.exec(value.trim());
  if (!m) throw new CliError(`--expires must be a duration like 30m, 12h or 7d, got "${value}".`);
  const seconds = Number(m[1]) * { s: 1, m: 60, h: 3600, d: 86_400 }[m[2] as 's' | 'm' | 'h' | 'd'];
  if (seconds < 60 || seconds > MAX_INVITE_SECONDS) throw new CliError('--expires must be between 1 minute and 365 days.');
  return seconds;
}

/**
 * Writes an audit row for a schema change made by the CLI, when the audit log exists (a `migrate
 * down` past the Administration migration removes it; then there is nowhere to write).
 */
async function auditIfPossible(dataSource: DataSource, action: string, details: Record<string, unknown>): Promise<void> {
  const admins = new (adminRepository())(dataSource);
  if (await admins.auditLogExists()) await new (audit())(admins).record(cliActor(), action, null, details);
}

function printUsers(rows: AdminUserRow[]): void {
  printTable(
    ['USERNAME', 'EMAIL', 'ADMIN', 'DISABLED', 'LAST SEEN', 'CREATED'],
    rows.map((u) => [u.username, u.email ?? '-', u.is_admin ? 'yes' : 'no', u.disabled_at ? iso(u.disabled_at) : 'no', iso(u.last_seen_at), iso(u.created_at)]),
  );
}

/** A password from stdin (`--password-stdin`), or a new random one that is printed once. */
async function passwordFrom(options: { passwordStdin?: boolean }): Promise<{ password: string; generated: boolean }> {
  if (options.passwordStdin) {
    const password = await readStdin();
    if (password === '') throw new CliError('--password-stdin was given but stdin was empty.');
    return { password, generated: false };
  }
  return { password: randomBytes(15).toString('base64url'), generated: true };
}

// ---------------------------------------------------------------------------------------------- start

/** `chat-server start [--config FILE]`: runs the server (what `npm start` does). */
@Command({ name: 'start', description: 'Start the chat server (HTTP, WebSocket, embedded PostgreSQL unless DATABASE_URL is set)' })
export class StartCommand extends ConfiguredCommand {
  async run(_params: string[], options: ConfigOptions): Promise<void> {
    const { runServer } = require('../main') as typeof import('../main');
    await runServer({ configFile: options.config });
    // The server keeps the process alive; main.ts must not exit after this command.
    (globalThis as { chatServerStarted?: boolean }).chatServerStarted = true;
  }
}

// -------------------------------------------------------------------------------------------- migrate

/** `chat-server migrate up|down|status`. */
@Command({
  name: 'migrate',
  arguments: '<action>',
  description: 'Database migrations: up (apply pending), down (revert the last one), status (list applied and pending)',
})
export class MigrateCommand extends ConfiguredCommand {
  async run([action]: string[], options: ConfigOptions): Promise<void> {
    await runCommand(async () => {
      if (!['up', 'down', 'status'].includes(action ?? '')) throw new CliError(`migrate needs up, down or status, got "${action}".`);
      const config = cliConfig(options.config);
      const { appliedMigrationNames, runMigrationsLocked, undoLastMigrationLocked } = require('../database/migrations') as typeof import('../database/migrations');
      await withDataSource(config, async (dataSource) => {
        if (action === 'up') {
          const applied = await runMigrationsLocked(dataSource);
          if (applied.length > 0) await auditIfPossible(dataSource, 'migrate.up', { applied });
          process.stdout.write(applied.length ? `applied: ${applied.join(', ')}\n` : 'no pending migrations\n');
        } else if (action === 'down') {
          const reverted = await undoLastMigrationLocked(dataSource);
          if (reverted) await auditIfPossible(dataSource, 'migrate.down', { reverted });
          process.stdout.write(reverted ? `reverted: ${reverted}\n` : 'no migration to revert\n');
        } else {
          const executed = new Set(await appliedMigrationNames(dataSource));
          const all = dataSource.migrations.map((m) => m.name ?? m.constructor.name).sort((a, b) => Number(/\d+$/.exec(a)?.[0]) - Number(/\d+$/.exec(b)?.[0]));
          printTable(['MIGRATION', 'STATE'], all.map((name) => [name, executed.has(name) ? 'applied' : 'pending']));
        }
      });
    });
  }
}

// ---------------------------------------------------------------------------------------------- users

/** `users list [--query Q] [--disabled]` */
@SubCommand({ name: 'list', description: 'List users (username, email, admin, disabled, last activity)' })
export class UsersListCommand extends ConfiguredCommand {
  @Option({ flags: '-q, --query <text>', description: 'only users whose username, display name or email contains it' })
  parseQuery(value: string): string {
    return value;
  }

  @Option({ flags: '--disabled', description: 'only disabled users' })
  parseDisabled(): boolean {
    return true;
  }

  async run(_params: string[], options: ConfigOptions & { query?: string; disabled?: boolean }): Promise<void> {
    await runCommand(() =>
      withServices(cliConfig(options.config), async (get) => printUsers(await get(admin()).list(options.query, options.disabled === true))),
    );
  }
}

/** `users create --username U --email E [--password-stdin] [--admin]` */
@SubCommand({ name: 'create', description: 'Create a user (a random password is printed unless --password-stdin)' })
export class UsersCreateCommand extends ConfiguredCommand {
  @Option({ flags: '-u, --username <name>', description: 'username', required: true })
  parseUsername(value: string): string {
    return value;
  }

  @Option({ flags: '-e, --email <address>', description: 'email address', required: true })
  parseEmail(value: string): string {
    return value;
  }

  @Option({ flags: '--password-stdin', description: 'read the password from stdin' })
  parsePasswordStdin(): boolean {
    return true;
  }

  @Option({ flags: '--admin', description: 'make the user a server admin' })
  parseAdmin(): boolean {
    return true;
  }

  async run(_params: string[], options: ConfigOptions & { username: string; email: string; passwordStdin?: boolean; admin?: boolean }): Promise<void> {
    await runCommand(async () => {
      const config = cliConfig(options.config);
      const { password, generated } = await passwordFrom(options);
      const user = await withServices(config, (get) =>
        get(admin()).create(cliActor(), { username: options.username, email: options.email, password, admin: options.admin === true }),
      );
      process.stdout.write(`created ${user.username}${user.is_admin ? ' (server admin)' : ''}, id ${user.id}\n`);
      if (generated) process.stdout.write(`password: ${password}\n`);
    });
  }
}

/** `users set-password U [--password-stdin]` */
@SubCommand({ name: 'set-password', arguments: '<user>', description: 'Set a new password (random unless --password-stdin); revokes every session' })
export class UsersSetPasswordCommand extends ConfiguredCommand {
  @Option({ flags: '--password-stdin', description: 'read the password from stdin' })
  parsePasswordStdin(): boolean {
    return true;
  }

  async run([who]: string[], options: ConfigOptions & { passwordStdin?: boolean }): Promise<void> {
    await runCommand(async () => {
      const config = cliConfig(options.config);
      const { password, generated } = await passwordFrom(options);
      const { user, revokedSessions } = await withServices(config, (get) => get(admin()).setPassword(cliActor(), who!, password));
      process.stdout.write(`password of ${user.username} changed; ${revokedSessions} session(s) revoked\n`);
      if (generated) process.stdout.write(`password: ${password}\n`);
    });
  }
}

/** `users password-reset U` */
@SubCommand({
  name: 'password-reset',
  arguments: '<user>',
  description: 'Issue a one-time password reset token (valid 24 h) for POST /api/v1/auth/password-reset; nothing changes until it is used',
})
export class UsersPasswordResetCommand extends ConfiguredCommand {
  async run([who]: string[], options: ConfigOptions): Promise<void> {
    await runCommand(async () => {
      const { user, token, expiresAt } = await withServices(cliConfig(options.config), (get) => get(admin()).issuePasswordReset(cliActor(), who!));
      process.stdout.write(`${token}\n`);
      process.stderr.write(`reset token for ${user.username}, valid once until ${iso(expiresAt)}\n`);
    });
  }
}

/** One of the single-argument account actions (disable, enable, promote, demote). */
abstract class UserActionCommand extends ConfiguredCommand {
  protected abstract act(service: AccountAdminService, who: string): Promise<string>;

  async run([who]: string[], options: ConfigOptions): Promise<void> {
    await runCommand(async () => {
      const config = cliConfig(options.config);
      process.stdout.write((await withServices(config, async (get) => this.act(get(admin()), who!))) + '\n');
    });
  }
}

/** `users disable U` */
@SubCommand({ name: 'disable', arguments: '<user>', description: 'Disable an account: no login or refresh, every session revoked, live sockets closed' })
export class UsersDisableCommand extends UserActionCommand {
  protected async act(service: AccountAdminService, who: string): Promise<string> {
    const { user, revokedSessions } = await service.disable(cliActor(), who);
    return `disabled ${user.username}; ${revokedSessions} session(s) revoked`;
  }
}

/** `users enable U` */
@SubCommand({ name: 'enable', arguments: '<user>', description: 'Enable a disabled account' })
export class UsersEnableCommand extends UserActionCommand {
  protected async act(service: AccountAdminService, who: string): Promise<string> {
    return `enabled ${(await service.enable(cliActor(), who)).username}`;
  }
}

/** `users promote U` */
@SubCommand({ name: 'promote', arguments: '<user>', description: 'Make a user a server admin' })
export class UsersPromoteCommand extends UserActionCommand {
  protected async act(service: AccountAdminService, who: string): Promise<string> {
    return `${(await service.promote(cliActor(), who)).username} is now a server admin`;
  }
}

/** `users demote U` */
@SubCommand({ name: 'demote', arguments: '<user>', description: 'Take server admin away from a user' })
export class UsersDemoteCommand extends UserActionCommand {
  protected async act(service: AccountAdminService, who: string): Promise<string> {
    return `${(await service.demote(cliActor(), who)).username} is no longer a server admin`;
  }
}

/** The subcommands of `users`, in help order. */
const USERS_SUBCOMMANDS = [
  UsersListCommand,
  UsersCreateCommand,
  UsersSetPasswordCommand,
  UsersPasswordResetCommand,
  UsersDisableCommand,
  UsersEnableCommand,
  UsersPromoteCommand,
  UsersDemoteCommand,
];

/** `chat-server users …` */
@Command({ name: 'users', description: 'Manage accounts', subCommands: USERS_SUBCOMMANDS })
export class UsersCommand extends GroupCommand {
  protected readonly usage = 'users needs a subcommand (list, create, set-password, password-reset, disable, enable, promote, demote)';
}

// -------------------------------------------------------------------------------------------- invites

/** `invites create [--uses N] [--expires 7d]` */
@SubCommand({ name: 'create', description: 'Create an invite code (for REGISTRATION=invite)' })
export class InvitesCreateCommand extends ConfiguredCommand {
  @Option({ flags: '--uses <n>', description: 'registrations it admits (default 1)' })
  parseUses(value: string): string {
    return value;
  }

  @Option({ flags: '--expires <duration>', description: 'lifetime like 30m, 12h, 7d (default 7d)' })
  parseExpires(value: string): string {
    return value;
  }

  async run(_params: string[], options: ConfigOptions & { uses?: string; expires?: string }): Promise<void> {
    await runCommand(async () => {
      const uses = positiveInt('uses', options.uses ?? '1', 10_000);
      const seconds = parseDuration(options.expires ?? '7d');
      const config = cliConfig(options.config);
      const invite = await withServices(config, async (get) => {
        const created = await get(registration()).createInvite(uses, seconds, null);
        await get(audit()).record(cliActor(), 'invite.create', created.code, { uses, expires_in_seconds: seconds });
        return created;
      });
      process.stdout.write(`${invite.code}\n`);
      process.stderr.write(`invite ${invite.code}: ${invite.uses_left} use(s), expires ${iso(invite.expires_at)}\n`);
    });
  }
}

/** `invites list` */
@SubCommand({ name: 'list', description: 'List invite codes that were not revoked' })
export class InvitesListCommand extends ConfiguredCommand {
  async run(_params: string[], options: ConfigOptions): Promise<void> {
    await runCommand(async () => {
      const invites = await withServices(cliConfig(options.config), (get) => get(registration()).listInvites());
      const now = Date.now();
      printTable(
        ['CODE', 'USES LEFT', 'USES', 'EXPIRES', 'STATE'],
        invites.map((i) => [
          i.code,
          String(i.uses_left),
          String(i.uses_total),
          iso(i.expires_at),
          i.uses_left === 0 ? 'used up' : i.expires_at && new Date(i.expires_at).getTime() <= now ? 'expired' : 'active',
        ]),
      );
    });
  }
}

/** `invites revoke CODE` */
@SubCommand({ name: 'revoke', arguments: '<code>', description: 'Revoke an invite code' })
export class InvitesRevokeCommand extends ConfiguredCommand {
  async run([code]: string[], options: ConfigOptions): Promise<void> {
    await runCommand(async () => {
      const revoked = await withServices(cliConfig(options.config), async (get) => {
        const ok = await get(registration()).revokeInvite(code!);
        if (ok) await get(audit()).record(cliActor(), 'invite.revoke', code!);
        return ok;
      });
      if (!revoked) throw new CliError(`No live invite has the code "${code}".`);
      process.stdout.write(`revoked ${code}\n`);
    });
  }
}

/** `chat-server invites …` */
@Command({ name: 'invites', description: 'Manage invite codes', subCommands: [InvitesCreateCommand, InvitesListCommand, InvitesRevokeCommand] })
export class InvitesCommand extends GroupCommand {
  protected readonly usage = 'invites needs a subcommand (create, list, revoke)';
}

// --------------------------------------------------------------------------------------------- config

/** `config check` */
@SubCommand({ name: 'check', description: 'Validate every configuration source and print the effective configuration (secrets masked) with the source of each value' })
export class ConfigCheckCommand extends ConfiguredCommand {
  async run(_params: string[], options: ConfigOptions): Promise<void> {
    await runCommand(async () => {
      let merged;
      let notes: string[];
      try {
        merged = mergeSources({ configFile: options.config });
        notes = validateEverySource(merged);
      } catch (err) {
        if (err instanceof ConfigError) throw new CliError(`Configuration error: ${err.message}`);
        throw err;
      }
      const files = [merged.files.envFile ? `.env file: ${merged.files.envFile}` : '.env file: none', merged.files.yamlFile ? `YAML file: ${merged.files.yamlFile}` : 'YAML file: none'];
      const overridden = notes.length ? `\n\n${notes.join('\n')}` : '';
      process.stdout.write(`${files.join('\n')}\n\n${describeConfig(merged).join('\n')}${overridden}\n\nconfiguration is valid\n`);
    });
  }
}

/** `chat-server config …` */
@Command({ name: 'config', description: 'Inspect the configuration', subCommands: [ConfigCheckCommand] })
export class ConfigCommand extends GroupCommand {
  protected readonly usage = 'config needs a subcommand (check)';
}

// ---------------------------------------------------------------------------------------------- prune

/** `prune` */
@Command({ name: 'prune', description: 'Delete expired revocations, used refresh tokens of dead sessions and uploads never attached (older than a day)' })
export class PruneCommand extends ConfiguredCommand {
  async run(_params: string[], options: ConfigOptions): Promise<void> {
    await runCommand(async () => {
      const counts = await withServices(cliConfig(options.config), async (get) => {
        const result = await get(prune()).prune();
        await get(audit()).record(cliActor(), 'prune', null, { ...result });
        return result;
      });
      process.stdout.write(
        `expired revocations: ${counts.expiredRevocations}\nused refresh tokens: ${counts.usedRefreshTokens}\nunattached uploads: ${counts.orphanUploads}\n`,
      );
    });
  }
}

/** Every command provider, for the CLI module. */
export const COMMANDS = [
  StartCommand,
  MigrateCommand,
  UsersCommand,
  ...USERS_SUBCOMMANDS,
  InvitesCommand,
  InvitesCreateCommand,
  InvitesListCommand,
  InvitesRevokeCommand,
  ConfigCommand,
  ConfigCheckCommand,
  PruneCommand,
];
