import { createRoomThroughUi, joinRoomThroughUi, message, Person, registerThroughUi, screenshot, sendMessage, useBrowserSuite, waitUntil } from './browser-helpers';

jest.setTimeout(240_000);

/**
 * Runs before the client's scripts: lets the test hide the tab (`window.__hidden = true` makes
 * document.visibilityState "hidden") and records every Notification the page constructs.
 */
const HIDDEN_TAB_AND_NOTIFICATION_SPY = `
(() => {
  window.__hidden = false;
  window.__notifications = [];
  Object.defineProperty(Document.prototype, 'visibilityState', { configurable: true, get: () => (window.__hidden ? 'hidden' : 'visible') });
  Object.defineProperty(Document.prototype, 'hidden', { configurable: true, get: () => Boolean(window.__hidden) });
  const Real = window.Notification;
  function Spy(title, options) {
    window.__notifications.push({ title, body: options && options.body, tag: options && options.tag });
    return new Real(title, options);
  }
  Object.defineProperty(Spy, 'permission', { get: () => Real.permission });
  Spy.requestPermission = (...args) => Real.requestPermission(...args);
  window.Notification = Spy;
})();
`;

interface Captured {
  title: string;
  body: string;
  tag: string;
}

/** The notifications the person's page has constructed so far. */
function notifications(p: Person): Promise<Captured[]> {
  return p.page.evaluate('window.__notifications') as Promise<Captured[]>;
}

/** Hides or shows the person's tab as far as the page can tell (visibilityState + the event). */
async function setHidden(p: Person, hidden: boolean): Promise<void> {
  await p.page.evaluate(`window.__hidden = ${hidden}; document.dispatchEvent(new Event('visibilitychange'));`);
}

/**
 * Issue 15 in headless Chromium: formatted messages with script-like content inert, and a mention
 * seen by a second person whose tab is hidden, as a badge and a desktop notification.
 */
describe('browser client: formatting, mentions and notifications (e2e)', () => {
  const { t, person } = useBrowserSuite();

  it('renders the markdown subset and clickable links; HTML, images and javascript: links stay inert; edits re-render', async () => {
    const alice = await person('Alice');
    const bob = await person('Bob');
    await registerThroughUi(alice);
    await registerThroughUi(bob);
    const room = `fmt-${Date.now().toString(36)}`;
    await createRoomThroughUi(alice.page, room);
    await joinRoomThroughUi(bob.page, room);

    const source = [
      '**bold** _italic_ ~~gone~~ `code` see https://example.com/docs and [the guide](https://example.com/guide)',
      '',
      '> a quote',
      '',
      '- one',
      '- two',
      '',
      '```',
      'const x = 1 < 2;',
      '```',
      '',
      '<img src=x onerror="window.__xss = 1"> <script>window.__xss = 2</script> [click](javascript:window.__xss=3) ![pic](https://example.com/p.png)',
    ].join('\n');
    await sendMessage(alice.page, source);

    const body = message(bob.page, 'a quote').locator('.msg-body');
    await body.waitFor();
    expect(await body.locator('strong').textContent()).toBe('bold');
    expect(await body.locator('em').textContent()).toBe('italic');
    expect(await body.locator('del').textContent()).toBe('gone');
    expect(await body.locator('p code').first().textContent()).toBe('code');
    expect(await body.locator('blockquote').textContent()).toContain('a quote');
    expect(await body.locator('ul > li').allTextContents()).toEqual(['one', 'two']);
    expect(await body.locator('pre code').textContent()).toBe('const x = 1 < 2;\n');
    expect(await body.getAttribute('dir')).toBe('auto');
    const links = await body.locator('a').evaluateAll((as) => as.map((a) => ({ href: a.getAttribute('href'), target: a.getAttribute('target'), rel: a.getAttribute('rel'), text: a.textContent })));
    expect(links).toEqual([
      { href: 'https://example.com/docs', target: '_blank', rel: 'noopener noreferrer', text: 'https://example.com/docs' },
      { href: 'https://example.com/guide', target: '_blank', rel: 'noopener noreferrer', text: 'the guide' },
    ]);
    // Script-like content is text: no img or script element, no javascript: link, nothing ran.
    expect(await bob.page.locator('.message-list img, .message-list script, .message-list a[href^="javascript"]').count()).toBe(0);
    expect(await body.textContent()).toContain('<img src=x onerror="window.__xss = 1">');
    expect(await body.textContent()).toContain('<script>window.__xss = 2</script>');
    await body.getByText('click').click();
    expect(await bob.page.evaluate('window.__xss')).toBeUndefined();
    await screenshot(bob.page, 'markdown-message');

    // An edit re-renders the formatted body.
    await sendMessage(alice.page, 'plain words');
    await message(bob.page, 'plain words').waitFor();
    await alice.page.getByRole('textbox', { name: 'Message', exact: true }).press('ArrowUp');
    const edit = alice.page.getByRole('textbox', { name: 'Edit message' });
    await edit.fill('now **strong** words');
    await edit.press('Enter');
    await waitUntil(bob.page, 'the edit is rendered as markdown', async () => (await message(bob.page, 'words').locator('.msg-body strong').count()) === 1);
    expect(await message(bob.page, 'words').locator('.msg-body strong').textContent()).toBe('strong');
  });

  it('a mention typed with @ autocomplete is highlighted, badged and notified on the desktop of a second person whose tab is hidden', async () => {
    const alice = await person('Alice');
    const bob = await person('Bob');
    await bob.context.grantPermissions(['notifications'], { origin: t.origin });
    await bob.context.addInitScript(HIDDEN_TAB_AND_NOTIFICATION_SPY);
    await bob.page.reload();
    await registerThroughUi(alice);
    await registerThroughUi(bob);
    const room = `mention-${Date.now().toString(36)}`;
    await createRoomThroughUi(alice.page, room);
    await joinRoomThroughUi(bob.page, room);

    // Bob turns desktop notifications on from settings (nothing is asked on load).
    expect(await bob.page.evaluate("localStorage.getItem('chat.desktop-notifications')")).toBeNull();
    await bob.page.getByRole('button', { name: 'Settings' }).click();
    const settings = bob.page.getByRole('dialog');
    await settings.getByRole('button', { name: 'Turn on desktop notifications' }).click();
    await settings.getByRole('button', { name: 'Turn off desktop notifications' }).waitFor();
    await screenshot(bob.page, 'notification-settings');
    await bob.page.keyboard.press('Escape');

    // Bob switches to another conversation and hides the tab.
    await createRoomThroughUi(bob.page, `${room}-other`);
    await setHidden(bob, true);

    // Alice mentions Bob with the autocomplete: "@" and the start of his name, arrows, Tab.
    await alice.page.waitForFunction('document.querySelectorAll(".member-strip li").length >= 2');
    const box = alice.page.getByRole('textbox', { name: 'Message', exact: true });
    await box.fill('');
    await box.pressSequentially(`hello @${bob.username.slice(0, 4)}`);
    const option = alice.page.getByRole('option', { name: new RegExp(`@${bob.username}`) });
    await option.waitFor();
    await screenshot(alice.page, 'mention-autocomplete');
    await box.press('ArrowDown');
    await box.press('ArrowUp');
    await box.press('Tab');
    expect(await box.inputValue()).toBe(`hello @${bob.username} `);
    await box.pressSequentially('can you look?');
    await box.press('Enter');
    // Esc closes the menu without picking.
    await box.pressSequentially('@');
    await alice.page.getByRole('listbox', { name: 'Mention someone' }).waitFor();
    await box.press('Escape');
    expect(await alice.page.getByRole('listbox', { name: 'Mention someone' }).count()).toBe(0);
    await box.fill('');

    // Bob: the room shows the mention badge beside the unread badge, and a desktop notification.
    const item = bob.page.locator(`.room-item:has(.room-name:text-is("${room}"))`);
    await item.locator('.mention-badge').waitFor();
    expect(await item.locator('.mention-badge').textContent()).toBe('@1');
    expect(await item.locator('.badge:not(.mention-badge)').textContent()).toBe('1');
    expect(await item.getAttribute('aria-label')).toContain('1 mention');
    await waitUntil(bob.page, 'the desktop notification was shown', async () => (await notifications(bob)).length > 0);
    const shown = await notifications(bob);
    expect(shown).toHaveLength(1);
    expect(shown[0].title).toBe(`Alice in ${room}`);
    expect(shown[0].body).toBe(`hello @${bob.username} can you look?`);
    await screenshot(bob.page, 'mention-badge');

    // A message without a mention in a room at the default level ("mentions") is not notified, and
    // its unread badge stays quiet next to the mention badge being cleared on opening.
    await sendMessage(alice.page, 'no names here');
    await waitUntil(bob.page, 'the unread count reaches 2', async () => (await item.locator('.badge:not(.mention-badge)').textContent()) === '2');
    expect(await notifications(bob)).toHaveLength(1);

    // Bob opens the room: his mention is highlighted.
    await setHidden(bob, false);
    await item.click();
    await message(bob.page, 'can you look?').and(bob.page.locator('.mentions-me')).waitFor();
    expect(await message(bob.page, 'no names here').and(bob.page.locator('.mentions-me')).count()).toBe(0);
    await waitUntil(bob.page, 'the badges clear', async () => (await item.locator('.badge').count()) === 0);

    // Level "nothing": later messages leave no badge and no notification.
    await bob.page.getByRole('combobox', { name: 'Notifications' }).selectOption('none');
    await bob.page.getByRole('button', { name: 'New room' }).waitFor();
    await bob.page.locator(`.room-item:has(.room-name:text-is("${room}-other"))`).click();
    await setHidden(bob, true);
    await sendMessage(alice.page, `@${bob.username} again`);
    await bob.page.waitForTimeout(1500);
    expect(await item.locator('.badge').count()).toBe(0);
    expect(await notifications(bob)).toHaveLength(1);
  });
  it('serves the push service worker at the site root under the strict CSP, and the page registers it', async () => {
    const res = await fetch(`${t.origin}/sw.js`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/javascript/);
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(await res.text()).toContain("addEventListener('notificationclick'");
    const carol = await person('Carol');
    const scope = await carol.page.evaluate("navigator.serviceWorker.register('/sw.js', { scope: '/' }).then(() => navigator.serviceWorker.ready).then((r) => r.scope)");
    expect(scope).toBe(`${t.origin}/`);
  });
});
