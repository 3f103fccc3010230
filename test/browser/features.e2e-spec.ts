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
  useBrowserSuite,
  waitUntil,
} from './browser-helpers';

jest.setTimeout(240_000);

/**
 * The features of issue 14 in headless Chromium, each person in their own browser context: room
 * administration seen live, message search with jump, account self-service seen by others, drafts,
 * long pastes, right-to-left text, a non-default port, and many reloads.
 */
describe('browser client features (e2e)', () => {
  const { t, person, extraApp } = useBrowserSuite();

  it('room administration: rename seen live, a promotion gives admin controls at once, a kick is seen live, and the owner hands over, then leaves', async () => {
    const alice = await person('Alice');
    const bob = await person('Bob');
    const carol = await person('Carol');
    for (const p of [alice, bob, carol]) await registerThroughUi(p);
    const room = unique('team-');
    await createRoomThroughUi(alice.page, room);
    await joinRoomThroughUi(bob.page, room);
    await joinRoomThroughUi(carol.page, room);
    expect(await bob.page.getByRole('button', { name: 'Edit room' }).count()).toBe(0);

    // The joins are system lines in the log: a centred sentence in the page's own words, not a
    // bubble, with nothing to act on; the room list previews them in the same words.
    const joinLine = alice.page.locator('.message-list > li.system-line[data-event="member_joined"]', { hasText: 'Carol joined' });
    await joinLine.waitFor();
    await alice.page.locator('.message-list > li.system-line', { hasText: 'Bob joined' }).waitFor();
    await carol.page.locator('.message-list > li.system-line', { hasText: 'You joined' }).waitFor();
    expect(await joinLine.locator('.msg-actions, .msg-reactions, .msg-body, .avatar').count()).toBe(0);
    expect(await alice.page.evaluate('getComputedStyle(document.querySelector(".message-list > li.system-line")).justifySelf')).toBe('center');
    await bob.page.locator('.room-item', { hasText: 'Carol joined' }).waitFor();

    // Rename and describe: everyone sees it at once.
    const renamed = `${room}-renamed`;
    await alice.page.getByRole('button', { name: 'Edit room' }).click();
    let dialog = alice.page.getByRole('dialog');
    await dialog.getByLabel('Room name').fill(renamed);
    await dialog.getByLabel('Description').fill('Where the team plans');
    await dialog.getByRole('button', { name: 'Save room' }).click();
    await dialog.getByText('Room saved.').waitFor();
    await alice.page.keyboard.press('Escape');
    await bob.page.getByRole('heading', { name: renamed, exact: true }).waitFor();
    await bob.page.locator('.message-list > li.system-line', { hasText: `Alice renamed the room to ${renamed}` }).waitFor();
    await bob.page.locator('.conv-sub', { hasText: 'Where the team plans' }).waitFor();

    // Promotion: Bob gets the admin controls without reloading.
    await alice.page.getByRole('button', { name: 'Members & add' }).click();
    dialog = alice.page.getByRole('dialog');
    await dialog.getByRole('button', { name: 'Make Bob admin' }).click();
    await dialog.locator('li[data-user-id][data-role="admin"]', { hasText: 'Bob' }).waitFor();
    await bob.page.getByRole('button', { name: 'Edit room' }).waitFor();
    await bob.page.getByRole('button', { name: 'Members & add' }).waitFor();
    await screenshot(alice.page, 'room-members-admin');

    // Kick: Carol is told and the room leaves her list; the others see one member fewer.
    await dialog.getByRole('button', { name: 'Remove Carol' }).click();
    await alice.page.getByRole('dialog', { name: 'Please confirm' }).getByRole('button', { name: 'Remove' }).click();
    await carol.page.getByText(`You were removed from: ${renamed}`).waitFor();
    await carol.page.getByRole('link', { name: new RegExp(renamed) }).waitFor({ state: 'detached' });
    await bob.page.locator('.member', { hasText: 'Carol' }).waitFor({ state: 'detached' });
    await bob.page.locator('.message-list > li.system-line', { hasText: 'Alice removed Carol' }).waitFor();
    await alice.page.keyboard.press('Escape');

    // The owner cannot just leave: the page asks for a new owner, hands over, then leaves.
    await alice.page.getByRole('button', { name: 'Leave' }).click();
    dialog = alice.page.getByRole('dialog', { name: 'Hand over the room' });
    await dialog.getByText(/Before you leave, choose who owns it next/).waitFor();
    await screenshot(alice.page, 'room-handover');
    await dialog.getByRole('button', { name: 'Hand over to Bob and leave' }).click();
    await alice.page.getByRole('link', { name: new RegExp(renamed) }).waitFor({ state: 'detached' });
    await bob.page.locator('.conv-sub', { hasText: 'you are owner' }).waitFor();
    await bob.page.locator('.member', { hasText: 'Alice' }).waitFor({ state: 'detached' });

  });

  it("the room list's preview of a system line names people this page has never loaded (someone added to a group not opened yet)", async () => {
    const alice = await person('Alice');
    await registerThroughUi(alice);
    const bob = await registerUser(t.api, { display_name: 'Bob' });
    const dave = await registerUser(t.api, { display_name: 'Dave' });
    const found = await http(t.api, 'GET', `/users/search?q=${alice.username}`, { token: bob.token });
    const aliceId = found.body.items[0].id as string;
    const name = unique('group-');
    const group = await http(t.api, 'POST', '/rooms', { token: bob.token, body: { name, member_ids: [aliceId] } });
    expect(group.status).toBe(201);
    expect((await http(t.api, 'POST', `/rooms/${group.body.id}/members`, { token: bob.token, body: { user_ids: [dave.id] } })).status).toBeLessThan(300);
    // Dave is in no member list Alice's page has loaded: the preview still names him.
    await alice.page.locator('.room-item', { hasText: name }).filter({ hasText: 'Bob added Dave' }).waitFor();
    expect(await alice.page.locator('.room-item', { hasText: name }).innerText()).not.toContain('Someone');
  });

  it('searches messages and jumps to a hit far back in the history, then back to the latest', async () => {
    const bob = await registerUser(t.api, { display_name: 'Bob' });
    const room = await createRoom(t.api, bob, 'public', unique('archive-'));
    for (let i = 1; i <= 120; i++) {
      const content = i === 7 ? 'the quarterly zeppelin budget is approved' : `filler message ${i}`;
      expect((await http(t.api, 'POST', `/rooms/${room.id}/messages`, { token: bob.token, body: { content } })).status).toBe(201);
    }
    const alice = await person('Alice');
    await registerThroughUi(alice);
    await joinRoomThroughUi(alice.page, room.name);
    await message(alice.page, 'filler message 120').waitFor();
    expect(await message(alice.page, 'zeppelin').count()).toBe(0);

    await alice.page.getByRole('button', { name: 'Search in this conversation' }).click();
    const dialog = alice.page.getByRole('dialog', { name: 'Search messages' });
    await dialog.getByLabel('Search messages').fill('zeppelin');
    const hit = dialog.locator('.search-hit', { hasText: 'zeppelin' });
    await hit.waitFor();
    expect(await hit.locator('mark').textContent()).toMatch(/zeppelin/i);
    await screenshot(alice.page, 'search');
    await hit.click();

    const target = message(alice.page, 'zeppelin budget');
    await target.waitFor();
    await waitUntil(alice.page, 'the hit is scrolled into view and highlighted', async () => (await target.getAttribute('class'))?.includes('flash') === true && (await target.isVisible()));
    expect(await message(alice.page, 'filler message 120').count()).toBe(0);
    await screenshot(alice.page, 'search-jump');

    await alice.page.getByRole('button', { name: 'Jump to latest' }).click();
    await message(alice.page, 'filler message 120').waitFor();
    const texts = await messageTexts(alice.page);
    expect(texts[texts.length - 1]).toBe('filler message 120');
  });

  it('an uploaded avatar and a new display name are seen by the other person live', async () => {
    const alice = await person('Alice');
    const bob = await person('Bob');
    await registerThroughUi(alice);
    await registerThroughUi(bob);
    const room = unique('faces-');
    await createRoomThroughUi(alice.page, room);
    await joinRoomThroughUi(bob.page, room);
    await sendMessage(alice.page, 'Hello from Alice');
    const onBob = message(bob.page, 'Hello from Alice');
    await onBob.waitFor();
    expect(await onBob.locator('img.avatar-img').count()).toBe(0);

    await alice.page.getByRole('button', { name: 'Settings' }).click();
    const settings = alice.page.getByRole('dialog');
    await settings.getByLabel('Avatar picture').setInputFiles({ name: 'me.png', mimeType: 'image/png', buffer: gradientPng(64, 64) });
    await settings.locator('.avatar-picker img.avatar-img').waitFor();
    await settings.getByLabel('Display name').fill('Alice Liddell');
    await settings.getByRole('button', { name: 'Save profile' }).click();
    await settings.getByText('Profile saved.').waitFor();
    await screenshot(alice.page, 'settings-account');
    await alice.page.keyboard.press('Escape');
    await alice.page.locator('.me .avatar img.avatar-img').waitFor();

    // Bob sees both without reloading: the author line and the avatar of her message, and the member strip.
    await onBob.locator('.msg-author', { hasText: 'Alice Liddell' }).waitFor();
    await waitUntil(bob.page, 'her avatar image has loaded', async () => onBob.locator('img.avatar-img').evaluate((img: any) => img.complete && img.naturalWidth > 0).catch(() => false));
    await bob.page.locator('.member', { hasText: 'Alice Liddell' }).waitFor();
    await screenshot(bob.page, 'avatar-seen-by-others');
  });

  it('keeps a draft per room across room switches and a reload; warns about a paste over 4,000 characters; shows right-to-left text in its own direction', async () => {
    const alice = await person('Alice');
    await registerThroughUi(alice);
    const first = unique('drafts-a-');
    const second = unique('drafts-b-');
    await createRoomThroughUi(alice.page, first);
    const box = alice.page.getByRole('textbox', { name: 'Message', exact: true });
    await box.fill('half-written thought about the roadmap');
    await createRoomThroughUi(alice.page, second);
    expect(await box.inputValue()).toBe('');
    await alice.page.getByRole('link', { name: new RegExp(`^${first}`) }).click();
    await alice.page.getByRole('heading', { name: first, exact: true }).waitFor();
    await waitUntil(alice.page, 'the draft is back', async () => (await box.inputValue()) === 'half-written thought about the roadmap');

    await alice.page.reload();
    await alice.page.getByRole('heading', { name: first, exact: true }).waitFor();
    await waitUntil(alice.page, 'the draft survived the reload', async () => (await box.inputValue()) === 'half-written thought about the roadmap');

    // A 4,500-character paste: a warning in words and no silent cut; Send is disabled until it is shorter.
    await box.fill('');
    await box.focus();
    await alice.page.evaluate(`(() => {
      const data = new DataTransfer();
      data.setData('text/plain', 'x'.repeat(4500));
      document.activeElement.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
    })()`);
    await alice.page.getByText(/The pasted text makes this message longer than 4,000 characters/).waitFor();
    await box.fill('x'.repeat(4500));
    const warning = alice.page.locator('.too-long');
    await warning.waitFor();
    expect(await warning.textContent()).toMatch(/4,500 characters long; at most 4,000 can be sent/);
    expect((await box.inputValue()).length).toBe(4500);
    expect(await alice.page.getByRole('button', { name: 'Send' }).isDisabled()).toBe(true);
    await screenshot(alice.page, 'long-paste-warning');

    // Hebrew with English inside reads right to left.
    await box.fill('');
    await sendMessage(alice.page, 'שלום Bob, מה שלומך?');
    const body = message(alice.page, 'שלום').locator('.msg-body');
    await body.waitFor();
    expect(await body.getAttribute('dir')).toBe('auto');
    expect(await body.evaluate((el: any) => (globalThis as any).getComputedStyle(el).direction)).toBe('rtl');
  });

  it('says why when sign-in refreshes are rate-limited, keeps the session, and resumes by itself', async () => {
    const alice = await person('Alice');
    await registerThroughUi(alice);
    const room = unique('limited-');
    await createRoomThroughUi(alice.page, room);
    await alice.page.route('**/api/v1/auth/refresh', (route) =>
      route.fulfill({ status: 429, headers: { 'content-type': 'application/json', 'retry-after': '3' }, body: JSON.stringify({ status_code: 429, code: 'RATE_LIMITED', error: 'Too many requests.', request_id: 'x' }) }),
    );
    await alice.page.reload();
    await alice.page.getByText(/The server is limiting sign-in requests from this network/).waitFor();
    await screenshot(alice.page, 'refresh-rate-limited');
    expect(await alice.page.evaluate('localStorage.getItem("chat.refresh_token")')).not.toBeNull();
    await alice.page.unroute('**/api/v1/auth/refresh');
    await alice.page.getByRole('heading', { name: room, exact: true }).waitFor({ timeout: 30_000 });
    expect(await alice.page.getByRole('tab', { name: 'Log in' }).count()).toBe(0);
  });

  it('on a non-default port, with no ALLOWED_ORIGINS at all, two people chat live (a same-origin page is always allowed)', async () => {
    const app = await extraApp({ ALLOWED_ORIGINS: '' });
    const port = Number(new URL(app.origin).port);
    expect(port).not.toBe(3000);
    const alice = await person('Alice', app);
    const bob = await person('Bob', app);
    await registerThroughUi(alice);
    await registerThroughUi(bob);
    const room = unique('port-');
    await createRoomThroughUi(alice.page, room);
    await joinRoomThroughUi(bob.page, room);
    await sendMessage(alice.page, `Hello on port ${port}`);
    await message(bob.page, `Hello on port ${port}`).waitFor();
    await sendMessage(bob.page, 'Live both ways');
    await message(alice.page, 'Live both ways').waitFor();
    expect(await alice.page.locator('#banner:not([hidden])').count()).toBe(0);
  });

  it('stays signed in through 20 reloads in a minute with the production sign-in limit (10 per minute per address)', async () => {
    const app = await extraApp({ RATE_LIMIT_AUTH_PER_MINUTE: '10' });
    const alice = await person('Alice', app);
    await registerThroughUi(alice);
    const room = unique('reloads-');
    await createRoomThroughUi(alice.page, room);
    for (let i = 1; i <= 20; i++) {
      await alice.page.reload();
      await alice.page.getByRole('heading', { name: room, exact: true }).waitFor();
      expect(await alice.page.getByRole('tab', { name: 'Log in' }).count()).toBe(0);
    }
    await sendMessage(alice.page, 'still here after 20 reloads');
    await waitUntil(alice.page, 'the message is delivered', async () => (await messageTexts(alice.page)).includes('still here after 20 reloads'));
  });
});
