import { createRoom, http, registerUser, unique } from '../helpers/http';
import {
  createRoomThroughUi,
  gradientPng,
  joinRoomThroughUi,
  message,
  messageTexts,
  registerThroughUi,
  screenshot,
  sendMessage,
  submitLogin,
  useBrowserSuite,
  waitUntil,
} from './browser-helpers';

jest.setTimeout(240_000);

/**
 * The browser client served at `/`, driven in headless Chromium exactly as people use it: each
 * person has their own browser context; nothing is set up behind the page's back.
 */
describe('browser client in Chromium (e2e)', () => {
  const { t, person, extraApp } = useBrowserSuite();

  /** Alice and Bob registered, in a fresh public room with its conversation open on both sides. */
  const twoInARoom = async () => {
    const alice = await person('Alice');
    const bob = await person('Bob');
    await registerThroughUi(alice);
    await registerThroughUi(bob);
    const room = unique('room-');
    await createRoomThroughUi(alice.page, room);
    await joinRoomThroughUi(bob.page, room);
    return { alice, bob, room };
  };

  it('serves the client at / with a strict Content-Security-Policy and leaves the API, docs and health alone', async () => {
    const page = await http(t.origin, 'GET', '/');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval/);
    const host = new URL(t.origin).host;
    expect(csp).toContain(`connect-src 'self' ws://${host} wss://${host}`);
    expect(String(page.body)).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/i);

    // The built client: hashed asset names, cached for good; the page itself is revalidated.
    expect(page.headers.get('cache-control')).toBe('no-cache');
    const script = /<script type="module"[^>]*src="(\/assets\/index-[\w-]+\.js)"/.exec(String(page.body))?.[1];
    expect(script).toBeDefined();
    const asset = await http(t.origin, 'GET', script!);
    expect(asset.headers.get('content-type')).toMatch(/javascript/);
    expect(asset.headers.get('cache-control')).toContain('immutable');
    expect((await http(t.origin, 'GET', '/health')).body).toEqual({ status: 'ok' });
    expect((await http(t.origin, 'GET', '/docs')).status).toBe(200);
    const missing = await http(t.api, 'GET', '/no-such-route');
    expect(missing.status).toBe(404);
    expect(missing.body.code).toBe('ROUTE_NOT_FOUND');
    expect((await http(t.origin, 'GET', '/no-such-page')).body.code).toBe('ROUTE_NOT_FOUND');
  });

  it('two people register, meet in a room, see each other online and typing, chat, and see an edit and a delete happen', async () => {
    const alice = await person('Alice');
    const bob = await person('Bob');
    await screenshot(alice.page, 'sign-in');
    await registerThroughUi(alice);
    await registerThroughUi(bob);
    const room = unique('general-');
    await createRoomThroughUi(alice.page, room);
    await joinRoomThroughUi(bob.page, room);

    // Presence: each sees the other online in the room's member list.
    await alice.page.locator('.member[data-online="true"]', { hasText: 'Bob' }).waitFor();
    await bob.page.locator('.member[data-online="true"]', { hasText: 'Alice' }).waitFor();

    // Typing, both ways, and the indicator goes away once the message arrives.
    await bob.page.getByRole('textbox', { name: 'Message', exact: true }).pressSequentially('Hi Alice!', { delay: 40 });
    await alice.page.getByText('Bob is typing…').waitFor();
    await bob.page.keyboard.press('Enter');
    await message(alice.page, 'Hi Alice!').waitFor();
    await alice.page.getByText('Bob is typing…').waitFor({ state: 'hidden' });
    await alice.page.getByRole('textbox', { name: 'Message', exact: true }).pressSequentially('Hello Bob', { delay: 40 });
    await bob.page.getByText('Alice is typing…').waitFor();
    await alice.page.keyboard.press('Enter');
    await message(bob.page, 'Hello Bob').waitFor();
    await sendMessage(alice.page, 'Lunch at noon? I will book the usual tabel');
    await message(bob.page, 'I will book the usual tabel').waitFor();
    expect(await messageTexts(bob.page)).toEqual(['Hi Alice!', 'Hello Bob', 'Lunch at noon? I will book the usual tabel']);

    // Alice fixes her typo; Bob sees the new text marked as edited.
    const typo = message(alice.page, 'usual tabel');
    await typo.hover();
    await typo.getByRole('button', { name: 'Edit message' }).click();
    const editBox = alice.page.getByRole('textbox', { name: 'Edit message' });
    await editBox.fill('Lunch at noon? I will book the usual table');
    await editBox.press('Enter');
    await message(bob.page, 'usual table').getByText('(edited)').waitFor();
    // Keyboard only: from the composer back to the message log, onto the newest message, its Reply.
    // The composer's own controls come first, and a "jump to the latest" control may sit between
    // while the log is not scrolled to the end; the log is within four steps. The pointer rests on a
    // message meanwhile: its hover toolbar must not join the Tab order (it did, and flaked this test
    // wherever the pointer happened to be).
    await message(bob.page, 'usual table').hover();
    await bob.page.getByRole('textbox', { name: 'Message', exact: true }).focus();
    for (let step = 0; step < 4; step++) {
      await bob.page.keyboard.press('Shift+Tab');
      if ((await bob.page.evaluate('document.activeElement.getAttribute("role")')) === 'log') break;
    }
    expect(await bob.page.evaluate('document.activeElement.getAttribute("role")')).toBe('log');
    await bob.page.keyboard.press('ArrowUp');
    await bob.page.keyboard.press('Tab');
    await bob.page.keyboard.press('Enter');
    await bob.page.getByText('Replying to Alice').waitFor();
    await bob.page.keyboard.type('Sounds good, see you there');
    await bob.page.keyboard.press('Enter');
    await message(alice.page, 'see you there').locator('.msg-reply', { hasText: 'usual table' }).waitFor();
    await screenshot(alice.page, 'conversation');

    // Dark theme, same view.
    await alice.page.getByRole('button', { name: 'Switch light or dark theme' }).click();
    await waitUntil(alice.page, 'the dark theme applies', async () => (await alice.page.evaluate('document.documentElement.dataset.theme')) === 'dark');
    await screenshot(alice.page, 'conversation-dark');
    await alice.page.getByRole('button', { name: 'Switch light or dark theme' }).click();

    // Alice deletes a message; Bob sees it turn into a tombstone.
    await sendMessage(alice.page, 'Oops, wrong room');
    await message(bob.page, 'Oops, wrong room').waitFor();
    const oops = message(alice.page, 'Oops, wrong room');
    await oops.hover();
    await oops.getByRole('button', { name: 'Delete message' }).click();
    await alice.page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
    await bob.page.locator('.msg.deleted', { hasText: 'This message was deleted.' }).waitFor();
    expect(await message(bob.page, 'Oops, wrong room').count()).toBe(0);

    // Settings view.
    await alice.page.getByRole('button', { name: 'Settings' }).click();
    await alice.page.getByRole('dialog').getByText('Sessions').waitFor();
    await screenshot(alice.page, 'settings');
    await alice.page.keyboard.press('Escape');

    // Readable at 360 px: one pane at a time, nothing wider than the screen.
    await bob.page.setViewportSize({ width: 360, height: 740 });
    await waitUntil(bob.page, 'nothing overflows 360 px', async () => Number(await bob.page.evaluate('document.documentElement.scrollWidth')) <= 360);
    await screenshot(bob.page, 'mobile-conversation');
    await bob.page.getByRole('button', { name: 'Back to conversations' }).click();
    await bob.page.getByRole('link', { name: new RegExp(room) }).waitFor();
    expect(Number(await bob.page.evaluate('document.documentElement.scrollWidth'))).toBeLessThanOrEqual(360);
    await screenshot(bob.page, 'mobile-list');
  });

  it('keeps the session and the open conversation across a page reload', async () => {
    const alice = await person('Alice');
    await registerThroughUi(alice);
    const room = unique('notes-');
    await createRoomThroughUi(alice.page, room);
    await sendMessage(alice.page, 'Written before the reload');
    await waitUntil(alice.page, 'the message is delivered', async () => (await messageTexts(alice.page)).includes('Written before the reload'));

    await alice.page.reload();
    await alice.page.getByRole('heading', { name: room, exact: true }).waitFor();
    await message(alice.page, 'Written before the reload').waitFor();
    expect(await alice.page.getByRole('tab', { name: 'Log in' }).count()).toBe(0);
    // Only the refresh token is stored; the access token lives in memory.
    const stored = (await alice.page.evaluate('Object.keys(localStorage)')) as string[];
    expect(stored).toContain('chat.refresh_token');
    expect(stored.filter((k) => /access/i.test(k))).toEqual([]);

    await sendMessage(alice.page, 'Written after the reload');
    await waitUntil(alice.page, 'the message after the reload is delivered', async () => (await messageTexts(alice.page)).includes('Written after the reload'));
    expect(await messageTexts(alice.page)).toEqual(['Written before the reload', 'Written after the reload']);
  });

  it('loses nothing while the network is down for a few seconds: no gaps, no duplicates', async () => {
    const { alice, bob } = await twoInARoom();
    await sendMessage(bob.page, 'before the outage');
    await message(alice.page, 'before the outage').waitFor();

    await alice.context.setOffline(true);
    await alice.page.locator('#banner:not([hidden])').waitFor();
    expect(await alice.page.locator('#banner').textContent()).toMatch(/offline|reconnecting/i);

    const meanwhile = ['while you were away 1', 'while you were away 2', 'while you were away 3'];
    for (const text of meanwhile) {
      await sendMessage(bob.page, text);
      await waitUntil(bob.page, `"${text}" is delivered`, async () => (await messageTexts(bob.page)).includes(text));
    }
    // Alice writes while offline: it waits in her outbox.
    await sendMessage(alice.page, 'written while offline');
    await message(alice.page, 'written while offline').getByText('Waiting for the connection…').waitFor();
    await alice.page.waitForTimeout(3000);

    await alice.context.setOffline(false);
    await alice.page.locator('#banner').waitFor({ state: 'hidden', timeout: 40_000 });
    const expected = ['before the outage', ...meanwhile, 'written while offline'];
    await waitUntil(alice.page, 'Alice has caught up', async () => (await messageTexts(alice.page)).length >= expected.length, 40_000);
    expect(await messageTexts(alice.page)).toEqual(expected);
    await waitUntil(bob.page, 'Bob got the offline message', async () => (await messageTexts(bob.page)).includes('written while offline'), 40_000);
    expect(await messageTexts(bob.page)).toEqual(expected);
    expect(await alice.page.locator('.msg.pending').count()).toBe(0);
  });

  it('starts a direct message from a user search; the other side gets it with an unread badge', async () => {
    const alice = await person('Alice');
    const bob = await person('Bob');
    await registerThroughUi(alice);
    await registerThroughUi(bob);

    await alice.page.getByRole('button', { name: 'New message' }).click();
    await alice.page.getByLabel('Search people').fill(bob.username);
    // The row of this Bob (the directory may list other people named Bob until the search answers).
    await alice.page.getByRole('listitem').filter({ hasText: bob.username }).getByRole('button', { name: 'Message Bob' }).click();
    await alice.page.getByRole('heading', { name: 'Bob', exact: true }).waitFor();
    await sendMessage(alice.page, 'Psst, a private word');

    const dm = bob.page.getByRole('link', { name: /^Alice, 1 unread/ });
    await dm.waitFor();
    await screenshot(bob.page, 'unread-badge');
    await dm.click();
    await message(bob.page, 'Psst, a private word').waitFor();
    await bob.page.getByRole('link', { name: /^Alice(, online)?$/ }).waitFor();
    await sendMessage(bob.page, 'Go on');
    await message(alice.page, 'Go on').waitFor();
    await alice.page.locator('.conv-sub[data-online="true"]').waitFor();
    await screenshot(alice.page, 'direct-message');
  });

  it('replies, reactions, image attachments with previews and read receipts', async () => {
    const { alice, bob } = await twoInARoom();

    await alice.page.locator('.composer input[type=file]').setInputFiles({ name: 'chart.png', mimeType: 'image/png', buffer: gradientPng() });
    await alice.page.locator('.upload.done').waitFor();
    await sendMessage(alice.page, 'Here is the chart');
    const onBob = message(bob.page, 'Here is the chart');
    await onBob.waitFor();
    await waitUntil(bob.page, 'the image preview has loaded', async () => onBob.locator('img.attachment-image').evaluate((img: any) => img.complete && img.naturalWidth > 0).catch(() => false));

    await onBob.hover();
    await onBob.getByRole('button', { name: 'Reply' }).click();
    await sendMessage(bob.page, 'Looks great');
    await message(alice.page, 'Looks great').locator('.msg-reply', { hasText: 'Here is the chart' }).waitFor();

    await onBob.hover();
    await onBob.getByRole('button', { name: 'React' }).click();
    await onBob.getByRole('button', { name: 'React with 👍' }).click();
    await message(alice.page, 'Here is the chart').getByRole('button', { name: /👍 1/ }).waitFor();

    // Bob has the conversation open at the bottom: Alice's newest message shows it was seen.
    await sendMessage(alice.page, 'Thanks!');
    await message(alice.page, 'Thanks!').getByText(/Seen by Bob/).waitFor();
    await screenshot(alice.page, 'attachments-reactions-receipts');
  });

  it('loads older history pages while scrolling up, in order and without gaps', async () => {
    const bob = await registerUser(t.api, { display_name: 'Bob' });
    const room = await createRoom(t.api, bob, 'public', unique('history-'));
    const total = 130;
    for (let i = 1; i <= total; i++) {
      const res = await http(t.api, 'POST', `/rooms/${room.id}/messages`, { token: bob.token, body: { content: `history ${i}` } });
      expect(res.status).toBe(201);
    }
    const alice = await person('Alice');
    await registerThroughUi(alice);
    // A link to a public room she is not in yet: the conversation offers to join.
    await alice.page.goto(`/#/room/${room.id}`);
    await alice.page.getByText('You are not a member of this room.').waitFor();
    await alice.page.getByRole('button', { name: 'Join this room' }).click();
    await alice.page.getByRole('heading', { name: room.name, exact: true }).waitFor();
    await message(alice.page, `history ${total}`).waitFor();
    expect((await messageTexts(alice.page)).length).toBeLessThan(total);

    const scroller = alice.page.locator('.messages');
    await waitUntil(
      alice.page,
      'the whole history is loaded by scrolling up',
      async () => {
        await scroller.evaluate((el: any) => el.scrollTo(0, 0));
        return (await messageTexts(alice.page)).length >= total;
      },
      60_000,
    );
    expect(await messageTexts(alice.page)).toEqual(Array.from({ length: total }, (_, i) => `history ${i + 1}`));
    expect(await alice.page.getByRole('button', { name: 'Load older messages' }).isVisible()).toBe(false);
  });

  it('private rooms gain members from the members dialog; settings change the profile and password, list sessions and log out', async () => {
    const alice = await person('Alice');
    const bob = await person('Bob');
    await registerThroughUi(alice);
    await registerThroughUi(bob);
    const secret = unique('secret-');
    await createRoomThroughUi(alice.page, secret, 'private');

    await alice.page.getByRole('button', { name: 'Members & add' }).click();
    const dialog = alice.page.getByRole('dialog');
    await dialog.getByLabel('Search people to add').fill(bob.username);
    await dialog.getByRole('listitem').filter({ hasText: bob.username }).getByRole('button', { name: 'Add Bob' }).click();
    await dialog.getByRole('button', { name: 'Bob added' }).waitFor();
    await dialog.locator('li[data-user-id]', { hasText: 'Bob' }).waitFor();
    await alice.page.keyboard.press('Escape');
    await sendMessage(alice.page, 'Welcome to the secret room');

    await bob.page.getByRole('link', { name: new RegExp(`^${secret}, 1 unread`) }).click();
    await message(bob.page, 'Welcome to the secret room').waitFor();

    // Alice is also logged in on a second device; the password change will end that session.
    const aliceElsewhere = await person('Alice (laptop)');
    await submitLogin(aliceElsewhere.page, alice.username, alice.password);
    await aliceElsewhere.page.getByRole('link', { name: new RegExp(`^${secret}`) }).waitFor();

    await alice.page.getByRole('button', { name: 'Settings' }).click();
    const settings = alice.page.getByRole('dialog');
    await settings.getByLabel('Display name').fill('Alice Liddell');
    await settings.getByLabel('Status').fill('Down the rabbit hole');
    await settings.getByRole('button', { name: 'Save profile' }).click();
    await settings.getByText('Profile saved.').waitFor();
    await alice.page.locator('.me-name', { hasText: 'Alice Liddell' }).waitFor();

    await settings.getByLabel('Current password').fill('not my password');
    await settings.getByLabel(/^New password/).fill('a much better passphrase');
    await settings.getByRole('button', { name: 'Change password' }).click();
    const pwError = settings.locator('.form-error:not([hidden])');
    await pwError.waitFor();
    expect(await pwError.textContent()).not.toMatch(/[{}]|WRONG_PASSWORD/);
    await settings.getByLabel('Current password').fill(alice.password);
    await settings.getByRole('button', { name: 'Change password' }).click();
    await settings.getByText(/Password changed/).waitFor();
    await aliceElsewhere.page.getByText('Your session has ended. Please log in again.').waitFor();
    await settings.getByText('(this device)').waitFor();

    await settings.getByRole('button', { name: 'Log out', exact: true }).last().click();
    await alice.page.getByRole('tab', { name: 'Log in' }).waitFor();
    expect(await alice.page.evaluate('localStorage.getItem("chat.refresh_token")')).toBeNull();
    await alice.page.waitForTimeout(1000);
    expect(await alice.page.getByText(/session has ended/).count()).toBe(0);
    await submitLogin(alice.page, alice.username, 'a much better passphrase');
    await alice.page.getByRole('link', { name: new RegExp(`^${secret}`) }).waitFor();
  });

  it('refreshes a short-lived access token silently, over REST and for the WebSocket', async () => {
    const shortLived = await extraApp({ ACCESS_TOKEN_TTL_SECONDS: '4' });
    const alice = await person('Alice', shortLived);
    let refreshes = 0;
    alice.page.on('response', (res) => {
      if (res.url().endsWith('/auth/refresh') && res.status() === 200) refreshes++;
    });
    await registerThroughUi(alice);
    await alice.page.waitForTimeout(9000);
    const room = unique('fresh-');
    await createRoomThroughUi(alice.page, room);
    expect(refreshes).toBeGreaterThanOrEqual(2);

    // A new WebSocket after the first token expired authenticates with a refreshed one.
    await alice.context.setOffline(true);
    await alice.page.locator('#banner:not([hidden])').waitFor();
    await alice.page.waitForTimeout(2000);
    await alice.context.setOffline(false);
    await alice.page.locator('#banner').waitFor({ state: 'hidden', timeout: 40_000 });
    await sendMessage(alice.page, 'still logged in');
    await waitUntil(alice.page, 'the message is delivered', async () => (await messageTexts(alice.page)).includes('still logged in'));
    expect(await alice.page.getByRole('tab', { name: 'Log in' }).count()).toBe(0);
  });

  it('shows server errors in words: validation problems and rate limits with the wait, and works from the keyboard', async () => {
    const limited = await extraApp({ RATE_LIMIT_AUTH_PER_MINUTE: '3' });
    const carol = await person('Carol', limited);
    const { page } = carol;
    await page.getByRole('tab', { name: 'Create account' }).click();
    await page.getByLabel('Username').fill('x');
    await page.getByLabel('Email').fill('not-an-email');
    await page.getByLabel('Password').fill('short');
    await page.getByRole('button', { name: 'Create account' }).click();
    const error = page.locator('.form-error:not([hidden])');
    await error.waitFor();
    const text = (await error.textContent()) ?? '';
    expect(text).toMatch(/Username must be 3 to 32/);
    expect(text).toMatch(/Password must be 8 to 72 bytes/);
    expect(text).not.toMatch(/[{}]|status_code|VALIDATION_FAILED/);
    await screenshot(page, 'validation-error');

    // Log in with the keyboard alone until the server rate-limits the attempts.
    await page.getByRole('tab', { name: 'Log in' }).click();
    await page.getByLabel('Username or email').focus();
    for (let attempt = 0; attempt < 6; attempt++) {
      await page.keyboard.press('Control+A');
      await page.keyboard.type('nobody-here');
      await page.keyboard.press('Tab');
      await page.keyboard.press('Control+A');
      await page.keyboard.type('wrong password');
      await page.keyboard.press('Enter');
      await waitUntil(page, 'the attempt is answered', async () => (await page.getByRole('button', { name: 'Log in', exact: true }).isEnabled()) && (await error.isVisible()));
      if (/Too many requests/.test((await error.textContent()) ?? '')) break;
      await page.getByLabel('Username or email').focus();
    }
    expect(await error.textContent()).toMatch(/Too many requests\. Please wait \d+ seconds? and try again\./);
  });
});
