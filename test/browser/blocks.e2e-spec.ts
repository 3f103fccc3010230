import type { Browser } from 'playwright-core';
import { startTestApp, TestApp } from '../helpers/app';
import { unique } from '../helpers/http';
import { createRoomThroughUi, freePort, joinRoomThroughUi, launchChromium, message, openPerson, Person, registerThroughUi, sendMessage } from './browser-helpers';

jest.setTimeout(240_000);

/**
 * Blocking in headless Chromium: Block from another person's profile (opened from their message),
 * their messages collapsed with "show" (also after a reload, from the server's `blocked` mark) and
 * kept out of the room list's preview, and Unblock from the block list in settings.
 */
describe('browser client: blocking (e2e)', () => {
  let t: TestApp;
  let browser: Browser;
  const people: Person[] = [];

  beforeAll(async () => {
    const port = await freePort();
    t = await startTestApp({ PORT: String(port), ALLOWED_ORIGINS: `http://127.0.0.1:${port}` });
    browser = await launchChromium();
  });

  afterAll(async () => {
    for (const p of people) expect({ user: p.displayName, problems: p.problems }).toEqual({ user: p.displayName, problems: [] });
    await Promise.all(people.map((p) => p.context.close().catch(() => undefined)));
    await browser?.close();
    await t?.close();
  });

  it('blocks from the profile dialog, collapses the blocked person\'s messages (show reveals one), and unblocks from settings', async () => {
    const alice = await openPerson(browser, t.origin, 'Alice');
    const bob = await openPerson(browser, t.origin, 'Bob');
    people.push(alice, bob);
    for (const p of [alice, bob]) await registerThroughUi(p);
    const room = unique('blk-');
    await createRoomThroughUi(alice.page, room);
    await joinRoomThroughUi(bob.page, room);
    await sendMessage(alice.page, 'first words from alice');
    await message(bob.page, 'first words from alice').waitFor();

    // Bob opens Alice's profile from her message and blocks her.
    await bob.page.getByRole('button', { name: 'Profile of Alice' }).first().click();
    await bob.page.getByRole('button', { name: 'Block Alice' }).click();
    await bob.page.getByRole('button', { name: 'Block', exact: true }).click();
    await bob.page.getByRole('button', { name: 'Unblock Alice' }).waitFor();
    await bob.page.keyboard.press('Escape');

    // Her message on screen collapses at once.
    const collapsed = bob.page.locator('.message-list > li.msg.blocked');
    await collapsed.first().waitFor();
    expect(await collapsed.first().textContent()).toContain('Message from a blocked user');
    expect(await bob.page.locator('.message-list').textContent()).not.toContain('first words from alice');
    // So does the room list's preview of her last message.
    const roomItem = bob.page.locator('a.room-item', { hasText: room });
    expect(await roomItem.textContent()).toContain('Message from a blocked user');
    expect(await roomItem.textContent()).not.toContain('first words from alice');

    // After a reload it is still collapsed; "show" reveals that one message.
    await bob.page.reload();
    await bob.page.getByRole('heading', { name: room, exact: true }).waitFor();
    await collapsed.first().waitFor();
    await collapsed.first().getByRole('button', { name: 'show' }).click();
    await message(bob.page, 'first words from alice').waitFor();

    // Unblock from settings: Alice's next message shows normally.
    await bob.page.getByRole('button', { name: 'Settings' }).click();
    await bob.page.getByRole('button', { name: 'Unblock Alice' }).click();
    await bob.page.getByText('You have not blocked anyone.').waitFor();
    await bob.page.keyboard.press('Escape');
    await sendMessage(alice.page, 'after the unblock');
    await message(bob.page, 'after the unblock').waitFor();
    expect(await bob.page.locator('.message-list > li.msg.blocked').count()).toBe(0);
  });
});
