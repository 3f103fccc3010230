// Server administration for the admin panel: one typed module over the /admin routes (types from
// the generated OpenAPI schema, so a change of the server's admin DTOs breaks `npm run typecheck`
// here), and a cursor pager for the API's paginated lists ("Load more").
import { batch, signal } from '@preact/signals-core';
import type { Http } from '../api/http';
import type { components } from '../api/schema';

type Schemas = components['schemas'];

export type AdminUser = Schemas['AdminUserDto'];
export type Invite = Schemas['InviteDto'];
export type AuditEntry = Schemas['AuditEntryDto'];
export type RegistrationMode = Schemas['AdminSettingsDto']['registration'];

/** One page of a cursor-paginated list, as every list endpoint of the API answers. */
export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

/**
 * A list read page by page with the API's cursors: `reload()` starts from the first page (e.g. a
 * new search), `more()` appends the next one. An answer to a superseded request (the search
 * changed meanwhile) is dropped, so a slow old page never overwrites a newer list.
 */
export class Pager<T> {
  readonly items = signal<T[]>([]);
  readonly nextCursor = signal<string | null>(null);
  readonly loading = signal(false);
  /** The last failure (an ApiError as thrown by Http), cleared by the next successful page. */
  readonly error = signal<unknown>(null);
  /** True once the first page has arrived (so "nothing found" is not shown while loading). */
  readonly loaded = signal(false);
  private generation = 0;

  /** @param fetchPage reads one page; `cursor` is undefined for the first page */
  constructor(private readonly fetchPage: (cursor: string | undefined) => Promise<Page<T>>) {}

  /** Reads the first page again, replacing the list. */
  reload(): Promise<void> {
    return this.load(undefined, true);
  }

  /** Appends the next page; does nothing when there is none or one is on its way. */
  more(): Promise<void> {
    const cursor = this.nextCursor.value;
    if (!cursor || this.loading.value) return Promise.resolve();
    return this.load(cursor, false);
  }

  /** Replaces the items `same` matches with `item` (after an action returned the new state). */
  update(item: T, same: (a: T, b: T) => boolean): void {
    this.items.value = this.items.value.map((x) => (same(x, item) ? item : x));
  }

  /** Drops the items `gone` matches (after a delete or revoke). */
  remove(gone: (x: T) => boolean): void {
    this.items.value = this.items.value.filter((x) => !gone(x));
  }

  private async load(cursor: string | undefined, replace: boolean): Promise<void> {
    const mine = ++this.generation;
    this.loading.value = true;
    try {
      const page = await this.fetchPage(cursor);
      if (mine !== this.generation) return;
      batch(() => {
        this.items.value = replace ? page.items : [...this.items.value, ...page.items];
        this.nextCursor.value = page.next_cursor;
        this.error.value = null;
        this.loaded.value = true;
      });
    } catch (err) {
      if (mine === this.generation) this.error.value = err;
    } finally {
      if (mine === this.generation) this.loading.value = false;
    }
  }
}

/** Page size of the admin lists. */
export const ADMIN_PAGE = 25;

/**
 * The admin routes (`/api/v1/admin/*`), each one typed call. Every method throws the ApiError of a
 * refusal (403 FORBIDDEN when the caller is no longer an admin, 404 for a vanished target, ...).
 */
export class AdminApi {
  constructor(private readonly http: Http) {}

  /** Accounts whose username, display name or email contains `q`; `disabledOnly` keeps disabled ones. */
  users(q: string, disabledOnly: boolean, cursor?: string): Promise<Page<AdminUser>> {
    return this.http.call('get', '/admin/users', { query: { q: q || undefined, disabled: disabledOnly ? 'true' : undefined, limit: ADMIN_PAGE, cursor } });
  }

  /** Disables an account: its sessions are revoked and its sockets closed (4401). */
  disable(id: string): Promise<AdminUser> {
    return this.http.call('post', '/admin/users/{id}/disable', { path: { id } });
  }

  enable(id: string): Promise<AdminUser> {
    return this.http.call('post', '/admin/users/{id}/enable', { path: { id } });
  }

  promote(id: string): Promise<AdminUser> {
    return this.http.call('post', '/admin/users/{id}/promote', { path: { id } });
  }

  demote(id: string): Promise<AdminUser> {
    return this.http.call('post', '/admin/users/{id}/demote', { path: { id } });
  }

  async registration(): Promise<RegistrationMode> {
    return (await this.http.call('get', '/admin/settings', {})).registration;
  }

  async setRegistration(mode: RegistrationMode): Promise<RegistrationMode> {
    return (await this.http.call('patch', '/admin/settings', { body: { registration: mode } })).registration;
  }

  /** Every invite code not revoked, newest first (the API answers them in one page). */
  invites(): Promise<Page<Invite>> {
    return this.http.call('get', '/admin/invites', {});
  }

  /** @param uses registrations it admits (1..10,000) @param expiresInSeconds lifetime (60 s..1 year) */
  createInvite(uses: number, expiresInSeconds: number): Promise<Invite> {
    return this.http.call('post', '/admin/invites', { body: { uses, expires_in_seconds: expiresInSeconds } });
  }

  async revokeInvite(code: string): Promise<void> {
    await this.http.call('delete', '/admin/invites/{code}', { path: { code } });
  }

  /** The audit log, newest first. */
  audit(cursor?: string): Promise<Page<AuditEntry>> {
    return this.http.call('get', '/admin/audit', { query: { limit: ADMIN_PAGE, cursor } });
  }
}

/** The user id in an audit actor `user:<id>`, else null (`cli:<os user>`, `config:ADMIN_USERNAMES`). */
export function actorUserId(actor: string): string | null {
  const match = /^user:([0-9a-f-]{36})$/i.exec(actor);
  return match ? match[1].toLowerCase() : null;
}

/** An audit actor that is not a user, in words: `cli:root` → "command line (root)". */
export function actorLabel(actor: string): string {
  const [kind, ...rest] = actor.split(':');
  const who = rest.join(':');
  if (kind === 'cli') return `command line (${who})`;
  if (kind === 'config') return `configuration (${who})`;
  return actor;
}

/** What an audit action means, in words ("user.disable" → "disabled the account"). */
export function describeAction(action: string): string {
  return ACTIONS[action] ?? action;
}

const ACTIONS: Record<string, string> = {
  'user.create': 'created the account',
  'user.disable': 'disabled the account',
  'user.enable': 'enabled the account',
  'user.promote': 'made server admin',
  'user.demote': 'removed server admin from',
  'user.set_password': 'set a new password for',
  'user.password_reset': 'issued a password reset for',
  'settings.update': 'changed the setting',
  'invite.create': 'created the invite',
  'invite.revoke': 'revoked the invite',
  'message.delete': 'deleted a message',
  'room.delete': 'deleted the room',
  'report.resolve': 'resolved a report',
};
