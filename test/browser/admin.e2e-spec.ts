import type { Page } from 'playwright-core';
import { DataSource } from 'typeorm';
import { AccountAdminService } from '../../src/admin/account-admin.service';
import { http, registerUser, unique } from '../helpers/http';
import { createRoomThroughUi, message, messageTexts, Person, registerThroughUi, screenshot, sendMessage, submitLogin, useBrowserSuite, waitUntil } from './browser-helpers';

jest.setTimeout(240_000);

/** Runs before the client's scripts: records the close code of every WebSocket the page opens. */
const WS_CLOSE_SPY = `
(() => {
  window.__wsCloses = [];
  const Real = window.WebSocket;
  class Spy extends Real {
    constructor(...args) {
      super(...args);
      this.addEventListener('close', (e) => window.__wsCloses.push(e.code));
    }
  }
  window.WebSocket = Spy;
})();
`;

/**
 * Issue 16's admin panel in headless Chromium: the first admin is made the way an operator makes
 * one (`chat-server users create --admin` runs this same service), then works the panel as a person
 * would, while the people affected watch in their own browsers.
 */
describe('browser client: server administration panel (e2e)', () => {
  const { t, person } = useBrowserSuite();

  /** An admin account made as the CLI makes it, logged in through the sign-in screen. */
  const adminInBrowser = async (): Promise<Person> => {
    const admin = await person('Root');
    await t.app.get(AccountAdminService, { strict: false }).create('cli:operator', { username: admin.username, email: `${admin.username}@example.test`, password: admin.password, admin: true });
    await submitLogin(admin.page, admin.username, admin.password);
    await admin.page.getByRole('link', { name: 'Server administration' }).click();
    await admin.page.getByRole('heading', { name: 'Server administration' }).waitFor();
    return admin;
  };

  /** The admin's Users view filtered down to `username`. */
  const findUser = async (page: Page, username: string) => {
    await page.getByRole('tab', { name: 'Users' }).click();
    await page.getByLabel('Search users').fill(username);
    const row = page.locator('.admin-row', { hasText: `@${username}` });
    await row.waitFor();
    await waitUntil(page, 'the search has narrowed the list', async () => (await page.locator('.admin-row').count()) === 1);
    return row;
  };

  const confirm = async (page: Page, button: string) => {
    await page.getByRole('dialog').getByRole('button', { name: button, exact: true }).click();
    await page.getByRole('dialog').waitFor({ state: 'hidden' });
  };

  it('disabling a signed-in user sends their other browser back to the sign-in screen (socket closed 4401); their login then says the account is disabled, until enabled again', async () => {
    const admin = await adminInBrowser();
    const bob = await person('Bob');
    await bob.context.addInitScript(WS_CLOSE_SPY);
    await bob.page.reload();
    await registerThroughUi(bob);
    await waitUntil(bob.page, 'Bob is connected', async () => (await bob.page.locator('#banner').isHidden()) && (await bob.page.evaluate('window.__wsCloses.length')) === 0);
    // Nothing here is for Bob: no admin entry, and the panel's address says so.
    expect(await bob.page.getByRole('link', { name: 'Server administration' }).count()).toBe(0);
    await bob.page.evaluate(`location.hash = '#/admin'`);
    await bob.page.getByRole('heading', { name: 'Administrators only' }).waitFor();
    expect(await bob.page.getByRole('tab', { name: 'Users' }).count()).toBe(0);

    const row = await findUser(admin.page, bob.username);
    expect(await row.getByRole('button', { name: 'Enable Bob' }).count()).toBe(0);
    // Cancelling the confirmation changes nothing.
    await row.getByRole('button', { name: 'Disable Bob' }).click();
    await admin.page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();
    await admin.page.getByRole('dialog').waitFor({ state: 'hidden' });
    expect(await row.getAttribute('data-disabled')).toBe('false');

    await row.getByRole('button', { name: 'Disable Bob' }).click();
    await confirm(admin.page, 'Disable account');
    await row.locator('.tag', { hasText: 'Disabled' }).waitFor();
    expect(await row.getAttribute('data-disabled')).toBe('true');
    await screenshot(admin.page, 'admin-users');

    // Bob's browser: the socket is closed with 4401 and the page falls back to signing in.
    await bob.page.getByRole('tab', { name: 'Log in' }).waitFor();
    await bob.page.getByText('Your session has ended. Please log in again.').waitFor();
    expect(await bob.page.evaluate('window.__wsCloses')).toContain(4401);
    expect(await bob.page.evaluate('localStorage.getItem("chat.refresh_token")')).toBeNull();

    await submitLogin(bob.page, bob.username, bob.password);
    const error = bob.page.locator('.form-error:not([hidden])');
    await error.waitFor();
    expect(await error.textContent()).toBe('This account has been disabled by an administrator.');
    await screenshot(bob.page, 'sign-in-disabled');

    // The "only disabled" filter finds him; enabling lets him back in.
    await admin.page.getByLabel('Search users').fill('');
    await admin.page.getByLabel('Only disabled accounts').check();
    await waitUntil(admin.page, 'only disabled accounts are listed', async () => {
      const flags = await admin.page.locator('.admin-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-disabled')));
      return flags.length > 0 && flags.every((f) => f === 'true');
    });
    const disabledRow = admin.page.locator('.admin-row', { hasText: `@${bob.username}` });
    await disabledRow.getByRole('button', { name: 'Enable Bob' }).click();
    await disabledRow.getByRole('button', { name: 'Disable Bob' }).waitFor();
    await submitLogin(bob.page, bob.username, bob.password);
    await bob.page.getByRole('button', { name: 'New room' }).waitFor();
  });

  it('invite-only sign-up: the admin switches registration to invite, creates an invite; sign-up asks for the code, refuses none or a wrong one clearly, and accepts it (typed or from the link); closed hides sign-up', async () => {
    try {
      await inviteOnlySignUp();
    } finally {
      // The registration setting is server-wide and wins over REGISTRATION: leave the shared test
      // database as it was, whatever happened above.
      await t.app.get(DataSource).query(`DELETE FROM server_settings WHERE key = 'registration'`);
    }
  });

  const inviteOnlySignUp = async () => {
    const admin = await adminInBrowser();
    await admin.page.getByRole('tab', { name: 'Registration' }).click();
    const modes = admin.page.getByRole('form', { name: 'Registration mode' });
    await modes.getByLabel(/^Open/).waitFor();
    await waitUntil(admin.page, 'the current mode is shown', () => modes.getByLabel(/^Open/).isChecked());
    await modes.getByLabel(/^Invite only/).check();
    await modes.getByRole('button', { name: 'Save registration mode' }).click();
    await modes.getByText('Registration is now invite only.').waitFor();
    expect((await http(t.api, 'GET', '/auth/registration')).body).toEqual({ mode: 'invite' });

    const newInvite = admin.page.getByRole('form', { name: 'New invite' });
    await newInvite.getByLabel('Uses').fill('2');
    await newInvite.getByLabel('Expires after').selectOption({ label: '1 day' });
    await newInvite.getByRole('button', { name: 'Create invite' }).click();
    const code = await admin.page.getByLabel('Invite code', { exact: true }).inputValue();
    expect(code).toMatch(/^[A-Za-z0-9]{12}$/);
    const link = await admin.page.getByLabel('Invite link', { exact: true }).inputValue();
    expect(link).toBe(`${t.origin}/#/register?invite=${code}`);
    await admin.page.locator(`tr[data-code="${code}"]`, { hasText: '2 of 2' }).waitFor();
    await screenshot(admin.page, 'admin-registration');

    // Carol signs up on the invite-only server: the form asks for the code before she submits.
    const carol = await person('Carol');
    await carol.page.getByRole('tab', { name: 'Create account' }).click();
    await carol.page.getByLabel('Invite code').waitFor();
    await carol.page.getByLabel('Username').fill(carol.username);
    await carol.page.getByLabel('Email').fill(`${carol.username}@example.test`);
    await carol.page.getByLabel('Display name').fill(carol.displayName);
    await carol.page.getByLabel('Password').fill(carol.password);
    const error = carol.page.locator('.form-error:not([hidden])');
    await carol.page.getByRole('button', { name: 'Create account' }).click();
    await error.waitFor();
    expect(await error.textContent()).toBe('Registration on this server needs an invite code.');
    expect(await carol.page.getByLabel('Invite code').getAttribute('aria-invalid')).toBe('true');
    await carol.page.getByLabel('Invite code').fill('not-a-real-code');
    await carol.page.getByRole('button', { name: 'Create account' }).click();
    await carol.page.getByText('The invite code is unknown, used up, revoked or expired.').waitFor();
    await screenshot(carol.page, 'sign-up-invite');
    await carol.page.getByLabel('Invite code').fill(code);
    await carol.page.getByRole('button', { name: 'Create account' }).click();
    await carol.page.getByRole('button', { name: 'New room' }).waitFor();

    // Dave follows the invite link: sign-up opens with the code filled in.
    const dave = await person('Dave');
    await dave.page.goto(link);
    await dave.page.reload();
    expect(await dave.page.getByLabel('Invite code').inputValue()).toBe(code);
    await registerThroughUi(dave);

    // The invite is used up now: the list says so after a refresh of the view.
    await admin.page.getByRole('tab', { name: 'Users' }).click();
    await admin.page.getByRole('tab', { name: 'Registration' }).click();
    await admin.page.locator(`tr[data-code="${code}"]`, { hasText: '0 of 2' }).waitFor();

    // A code revoked behind the panel's back: revoking it again shows the API's refusal in words.
    await admin.page.getByRole('form', { name: 'New invite' }).getByRole('button', { name: 'Create invite' }).click();
    const second = await waitForNewCode(admin.page, code);
    const adminToken = await loginToken(admin);
    expect((await http(t.api, 'DELETE', `/admin/invites/${second}`, { token: adminToken })).status).toBe(200);
    const secondRow = admin.page.locator(`tr[data-code="${second}"]`);
    await secondRow.getByRole('button', { name: `Revoke invite ${second}` }).click();
    await confirm(admin.page, 'Revoke invite');
    await secondRow.getByText('No live invite has this code.').waitFor();

    // Closed: a new visitor is offered no sign-up at all.
    await modes.getByLabel(/^Closed/).check();
    await modes.getByRole('button', { name: 'Save registration mode' }).click();
    await modes.getByText('Registration is now closed.').waitFor();
    const erin = await person('Erin');
    await erin.page.getByText('Sign-up is closed on this server. Ask its administrator for an account.').waitFor();
    expect(await erin.page.getByRole('tab', { name: 'Create account' }).count()).toBe(0);
    await erin.page.getByLabel('Username or email').waitFor();

    await modes.getByLabel(/^Open/).check();
    await modes.getByRole('button', { name: 'Save registration mode' }).click();
    await modes.getByText('Registration is now open.').waitFor();
  };

  it('promote and demote from the panel: the promoted person gets the panel, loses it again, and the audit log shows every step with its actor', async () => {
    const admin = await adminInBrowser();
    const frank = await person('Frank');
    await registerThroughUi(frank);
    expect(await frank.page.getByRole('link', { name: 'Server administration' }).count()).toBe(0);

    let row = await findUser(admin.page, frank.username);
    await row.getByRole('button', { name: 'Make Frank server admin' }).click();
    await confirm(admin.page, 'Make admin');
    await row.locator('.tag', { hasText: 'Admin' }).waitFor();

    // Frank's next page load knows he is an admin (is_admin on his own profile).
    await frank.page.reload();
    await frank.page.getByRole('link', { name: 'Server administration' }).click();
    await frank.page.getByRole('tab', { name: 'Audit log', selected: false }).waitFor();

    row = await findUser(admin.page, frank.username);
    await row.getByRole('button', { name: 'Remove server admin from Frank' }).click();
    await confirm(admin.page, 'Remove admin');
    await row.getByRole('button', { name: 'Make Frank server admin' }).waitFor();
    // Frank's open panel: the next call is refused, in words.
    await frank.page.getByRole('tab', { name: 'Audit log' }).click();
    await frank.page.getByText(/Only server administrators may do this\./).waitFor();
    await frank.page.reload();
    await frank.page.getByRole('heading', { name: 'Administrators only' }).waitFor();

    // The audit log, newest first: the demotion, the promotion, and the account's creation by the CLI.
    await admin.page.getByRole('tab', { name: 'Audit log' }).click();
    const entries = admin.page.locator('.admin-table tbody tr');
    await entries.first().waitFor();
    const demote = admin.page.locator('tr[data-action="user.demote"]', { hasText: frank.username }).first();
    const promote = admin.page.locator('tr[data-action="user.promote"]', { hasText: frank.username }).first();
    await demote.waitFor();
    await promote.waitFor();
    await demote.getByText(`@${admin.username}`).waitFor();
    await promote.getByText(`@${admin.username}`).waitFor();
    const actions = await entries.evaluateAll((rows) => rows.map((r) => `${r.getAttribute('data-action')} ${r.textContent ?? ''}`));
    const demoteAt = actions.findIndex((a) => a.startsWith('user.demote') && a.includes(frank.username));
    const promoteAt = actions.findIndex((a) => a.startsWith('user.promote') && a.includes(frank.username));
    expect(demoteAt).toBeGreaterThanOrEqual(0);
    expect(demoteAt).toBeLessThan(promoteAt);
    await admin.page.locator('tr[data-action="user.create"]', { hasText: admin.username }).getByText('command line (operator)').waitFor();
    await screenshot(admin.page, 'admin-audit');

    // Keyboard: arrow keys move between the panel's views.
    await admin.page.getByRole('tab', { name: 'Audit log' }).focus();
    await admin.page.keyboard.press('ArrowLeft');
    await admin.page.getByRole('tab', { name: 'Registration', selected: true }).waitFor();
    await admin.page.keyboard.press('Home');
    await admin.page.getByRole('tab', { name: 'Users', selected: true }).waitFor();
    expect(await admin.page.evaluate('location.hash')).toBe('#/admin/users');

    // Paging: "Load more" reads the next page of the user list with the API's cursor.
    const tag = unique('pg');
    for (let i = 0; i < 27; i++) await registerUser(t.api, { username: `${tag}${String(i).padStart(2, '0')}` });
    await admin.page.getByLabel('Search users').fill(tag);
    const listed = () => admin.page.locator('.admin-row').evaluateAll((rows) => rows.map((r) => r.textContent ?? ''));
    await waitUntil(admin.page, 'the first page of the search is listed', async () => {
      const rows = await listed();
      return rows.length === 25 && rows.every((r) => r.includes(tag));
    });
    await admin.page.getByRole('button', { name: 'Load more users' }).click();
    await waitUntil(admin.page, 'the second page is appended', async () => (await admin.page.locator('.admin-row').count()) === 27);
    expect(await admin.page.getByRole('button', { name: 'Load more users' }).count()).toBe(0);

    // On a phone the panel takes the screen; Back returns to the conversation list.
    await admin.page.setViewportSize({ width: 360, height: 740 });
    await admin.page.getByRole('heading', { name: 'Server administration' }).waitFor();
    expect(await admin.page.locator('.sidebar').isVisible()).toBe(false);
    await screenshot(admin.page, 'admin-mobile');
    await admin.page.getByRole('button', { name: 'Back to conversations' }).click();
    await admin.page.getByRole('link', { name: 'Server administration' }).waitFor();
    expect(await admin.page.getByRole('heading', { name: 'Server administration' }).count()).toBe(0);
  });

  it('password reset: the admin creates a one-time link; the link sets a new password, logs the person out everywhere, and works only once', async () => {
    const admin = await adminInBrowser();
    const grace = await person('Grace');
    await registerThroughUi(grace);

    const row = await findUser(admin.page, grace.username);
    await row.getByRole('button', { name: 'Reset password of Grace' }).click();
    await confirm(admin.page, 'Create reset link');
    const dialog = admin.page.getByRole('dialog', { name: 'Password reset for Grace' });
    const link = await dialog.getByLabel('Reset link', { exact: true }).inputValue();
    expect(link).toMatch(new RegExp(`^${t.origin}/#/reset\\?token=[\\w%-]+$`));
    await screenshot(admin.page, 'admin-password-reset');
    await dialog.getByRole('button', { name: 'Done' }).click();

    // Until the link is used nothing changes: Grace is still signed in.
    await grace.page.getByRole('button', { name: 'New room' }).waitFor();

    // Grace opens the link on another device.
    const phone = await person('Grace (phone)');
    await phone.page.goto(link);
    await phone.page.reload();
    const form = phone.page.getByRole('form', { name: 'Set a new password' });
    await form.getByLabel('New password (at least 8 characters)').fill('a fresh passphrase');
    await form.getByLabel('New password again').fill('a different passphrase');
    await form.getByRole('button', { name: 'Set new password' }).click();
    await form.getByText('The two passwords are not the same.').waitFor();
    await form.getByLabel('New password (at least 8 characters)').fill('short');
    await form.getByLabel('New password again').fill('short');
    await form.getByRole('button', { name: 'Set new password' }).click();
    await form.getByText(/New password must be/).waitFor();
    await form.getByLabel('New password (at least 8 characters)').fill('a fresh passphrase');
    await form.getByLabel('New password again').fill('a fresh passphrase');
    await form.getByRole('button', { name: 'Set new password' }).click();
    await phone.page.getByText(/Your new password is set/).waitFor();

    // Every session ended: the signed-in browser is back at the sign-in screen.
    await grace.page.getByText('Your session has ended. Please log in again.').waitFor();
    await submitLogin(grace.page, grace.username, grace.password);
    await grace.page.locator('.form-error:not([hidden])').waitFor();
    await submitLogin(grace.page, grace.username, 'a fresh passphrase');
    await grace.page.getByRole('button', { name: 'New room' }).waitFor();

    // The link works once.
    await phone.page.getByRole('button', { name: 'Go to log in' }).click();
    await phone.page.getByRole('tab', { name: 'Log in' }).waitFor();
    expect(await phone.page.evaluate('location.hash')).toBe('');
    await phone.page.goto(link);
    await phone.page.reload();
    await form.getByLabel('New password (at least 8 characters)').fill('yet another passphrase');
    await form.getByLabel('New password again').fill('yet another passphrase');
    await form.getByRole('button', { name: 'Set new password' }).click();
    await form.getByText(/The password reset token is unknown, already used or expired/).waitFor();
  });

  it('reports queue: a reported message is shown with its context; dismiss, delete the message (members see it go live) and disable the sender', async () => {
    const admin = await adminInBrowser();
    const reporter = await registerUser(t.api, { display_name: 'Heidi' });
    const sender = await registerUser(t.api, { display_name: 'Mallory' });
    const ivan = await person('Ivan');
    await registerThroughUi(ivan);
    const room = unique('reported-');
    await createRoomThroughUi(ivan.page, room);
    const roomId = /#\/room\/([0-9a-f-]{36})/.exec(ivan.page.url())![1];
    for (const u of [reporter, sender]) expect((await http(t.api, 'POST', `/rooms/${roomId}/join`, { token: u.token })).status).toBeLessThan(300);
    const say = async (u: { token: string }, content: string) => {
      const res = await http(t.api, 'POST', `/rooms/${roomId}/messages`, { token: u.token, body: { content } });
      expect(res.status).toBe(201);
      return res.body.id as string;
    };
    await say(reporter, 'Welcome everyone');
    await say(sender, 'Glad to be here');
    const spam = await say(sender, 'Buy cheap watches at spam.example');
    const plea = await say(reporter, 'Please stop that');
    const rude = await say(sender, 'Make me, loser');
    const report = (id: string, reason: string) => http(t.api, 'POST', `/messages/${id}/report`, { token: reporter.token, body: { reason } });
    expect((await report(spam, 'Spam link')).status).toBe(201);
    expect((await report(rude, 'Insults people')).status).toBe(201);
    expect((await http(t.api, 'POST', `/messages/${plea}/report`, { token: sender.token, body: { reason: 'Bossy' } })).status).toBe(201);
    await message(ivan.page, 'Buy cheap watches').waitFor();
    // A member reports from the message's toolbar; a second report of the same message is refused in words.
    const reportFromPage = async () => {
      const glad = message(ivan.page, 'Glad to be here');
      await glad.hover();
      await glad.getByRole('button', { name: 'Report message' }).click();
      const dialog = ivan.page.getByRole('dialog');
      await dialog.getByRole('textbox', { name: 'Reason' }).fill('Off-topic greeting');
      await dialog.getByRole('button', { name: 'Report' }).click();
      return dialog;
    };
    const first = await reportFromPage();
    await first.getByText('Thank you.').waitFor();
    await first.getByRole('button', { name: 'Done' }).click();
    const again = await reportFromPage();
    await again.getByRole('alert').filter({ hasText: /already/i }).waitFor();
    await again.getByRole('button', { name: 'Cancel' }).click();

    await admin.page.getByRole('tab', { name: 'Reports' }).click();
    await admin.page.locator('.report', { has: admin.page.locator('.report-msg.reported', { hasText: 'Glad to be here' }) }).getByText('Off-topic greeting').waitFor();
    const spamCard = admin.page.locator('.report', { has: admin.page.locator('.report-msg.reported', { hasText: 'Buy cheap watches' }) });
    await spamCard.waitFor();
    await spamCard.getByText('Spam link').waitFor();
    // Context: what was said before and after, in order, with the reported message marked.
    const lines = await spamCard.locator('.report-msg .msg-body').allTextContents();
    expect(lines).toEqual(['Welcome everyone', 'Glad to be here', 'Buy cheap watches at spam.example', 'Please stop that', 'Make me, loser']);
    await screenshot(admin.page, 'admin-reports');

    // Dismiss: nothing happens to the message.
    const pleaCard = admin.page.locator('.report', { has: admin.page.locator('.report-msg.reported', { hasText: 'Please stop that' }) });
    await pleaCard.getByRole('button', { name: 'Dismiss the report by Mallory' }).click();
    await admin.page.getByText('Report resolved: dismissed.').waitFor();
    await pleaCard.waitFor({ state: 'detached' });
    await message(ivan.page, 'Please stop that').waitFor();

    // Delete the message: the report leaves the queue and Ivan sees the message go, live.
    await spamCard.getByRole('button', { name: 'Delete the reported message by Mallory' }).click();
    await confirm(admin.page, 'Delete message');
    await admin.page.getByText('Report resolved: message deleted.').waitFor();
    await spamCard.waitFor({ state: 'detached' });
    await waitUntil(ivan.page, 'the deleted message is gone for Ivan', async () => (await message(ivan.page, 'Buy cheap watches').count()) === 0);

    // Disable the sender of the other one.
    const rudeCard = admin.page.locator('.report', { has: admin.page.locator('.report-msg.reported', { hasText: 'Make me, loser' }) });
    await rudeCard.getByRole('button', { name: 'Disable Mallory, who sent the reported message' }).click();
    await confirm(admin.page, 'Disable account');
    await admin.page.getByText('Report resolved: sender disabled.').waitFor();
    expect((await http(t.api, 'POST', '/auth/login', { body: { login: sender.username, password: sender.password } })).body.code).toBe('ACCOUNT_DISABLED');

    // Resolved reports keep what was done.
    await admin.page.getByLabel('Resolved').check();
    await admin.page.locator('.report[data-status="resolved"]', { hasText: 'Sender disabled' }).first().waitFor();
    await admin.page.locator('.report[data-status="resolved"]', { hasText: 'Message deleted' }).first().waitFor();
  });

  it('rooms: every room with its size; deleting one (after a confirmation) takes it away from its members live', async () => {
    const admin = await adminInBrowser();
    const judy = await person('Judy');
    await registerThroughUi(judy);
    const room = unique('doomed-');
    await createRoomThroughUi(judy.page, room);
    await sendMessage(judy.page, 'first words');
    await sendMessage(judy.page, 'last words');
    await waitUntil(judy.page, 'both messages are delivered', async () => (await messageTexts(judy.page)).includes('last words'));

    await admin.page.getByRole('tab', { name: 'Rooms' }).click();
    await admin.page.getByLabel('Search rooms').fill(room);
    const row = admin.page.locator('.admin-row', { hasText: room });
    await row.getByText(/Public room · 1 member · \d+ messages/).waitFor();
    await waitUntil(admin.page, 'the search has narrowed the list', async () => (await admin.page.locator('.admin-row').count()) === 1);
    await screenshot(admin.page, 'admin-rooms');
    await row.getByRole('button', { name: `Delete room ${room}` }).click();
    await admin.page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();
    await admin.page.getByRole('dialog').waitFor({ state: 'hidden' });
    await row.getByRole('button', { name: `Delete room ${room}` }).click();
    await confirm(admin.page, 'Delete room');
    await row.waitFor({ state: 'detached' });
    await judy.page.getByRole('link', { name: new RegExp(`^${room}`) }).waitFor({ state: 'detached' });
  });

  /** The code in the "Invite code" field once it is not `previous` any more. */
  async function waitForNewCode(page: Page, previous: string): Promise<string> {
    let code = previous;
    await waitUntil(page, 'a new invite is shown', async () => {
      code = await page.getByLabel('Invite code', { exact: true }).inputValue();
      return code !== previous;
    });
    return code;
  }

  /** A fresh access token for the person (a second session, as another device would open). */
  async function loginToken(p: Person): Promise<string> {
    const res = await http(t.api, 'POST', '/auth/login', { body: { login: p.username, password: p.password } });
    return res.body.access_token as string;
  }
});
