import { existsSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { Browser, BrowserContext, chromium, Page } from 'playwright-core';
import { startTestApp, TestApp } from '../helpers/app';
import { unique } from '../helpers/http';

/** Debian's Chromium; never a downloaded browser (.ci/run installs the package when missing). */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** Where the test run writes the README's screenshots. */
export const SCREENSHOT_DIR = join(__dirname, '..', '..', 'docs', 'screenshots');
/** Generous per-action wait: the CI machine has two slow cores shared with other suites. */
export const UI_TIMEOUT_MS = 20_000;

/** The built client the server serves (`npm run build` or `npm run build:web` writes it). */
export const CLIENT_INDEX = join(__dirname, '..', '..', 'web', 'dist', 'index.html');

/**
 * Launches headless Chromium with everything that phones home switched off.
 * @throws Error naming the command to run when the client has not been built
 */
export function launchChromium(): Promise<Browser> {
  if (!existsSync(CLIENT_INDEX)) throw new Error(`${CLIENT_INDEX} is missing: run \`npm run build:web\` before the browser tests`);
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** A free TCP port on 127.0.0.1 (the app must know its own origin for ALLOWED_ORIGINS before it starts). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * Boots the real app on a port chosen first, so its own origin can be listed in ALLOWED_ORIGINS
 * (`env` may override that and anything else).
 */
export async function startAppForBrowser(env: Record<string, string> = {}): Promise<TestApp> {
  const port = await freePort();
  return startTestApp({ PORT: String(port), ALLOWED_ORIGINS: `http://127.0.0.1:${port}`, ...env });
}

/** What {@link useBrowserSuite} gives a suite. */
export interface BrowserSuite {
  /** The suite's app; its fields are filled in by the suite's beforeAll. */
  t: TestApp;
  /** The suite's Chromium (launched in beforeAll). */
  browser(): Browser;
  /**
   * Opens a person in a fresh browser context on `app` (default: the suite's). After each test the
   * person's page must have seen no script error or CSP violation, and the context is closed.
   */
  person(name: string, app?: TestApp): Promise<Person>;
  /** Starts another app for the current test only (see {@link startAppForBrowser}); closed after it. */
  extraApp(env?: Record<string, string>): Promise<TestApp>;
}

/**
 * Registers the lifecycle every browser suite shares: one real app (started with `env`) and one
 * headless Chromium for the suite, people opened per test and checked and closed after it, extra
 * apps closed after the test that started them.
 */
export function useBrowserSuite(env: Record<string, string> = {}): BrowserSuite {
  const t = {} as TestApp;
  let browser: Browser | undefined;
  const people: Person[] = [];
  const extraApps: TestApp[] = [];

  beforeAll(async () => {
    Object.assign(t, await startAppForBrowser(env));
    browser = await launchChromium();
  });

  afterEach(async () => {
    for (const p of people) expect({ user: p.displayName, problems: p.problems }).toEqual({ user: p.displayName, problems: [] });
    await Promise.all(people.splice(0).map((p) => p.context.close().catch(() => undefined)));
    await Promise.all(extraApps.splice(0).map((app) => app.close()));
  });

  afterAll(async () => {
    await browser?.close();
    await t.close?.();
  });

  return {
    t,
    browser: () => {
      if (!browser) throw new Error('the suite has not launched Chromium yet (use it inside a test)');
      return browser;
    },
    person: async (name, app = t) => {
      if (!browser) throw new Error('the suite has not launched Chromium yet (use it inside a test)');
      const p = await openPerson(browser, app.origin, name);
      people.push(p);
      return p;
    },
    extraApp: async (extraEnv = {}) => {
      const app = await startAppForBrowser(extraEnv);
      extraApps.push(app);
      return app;
    },
  };
}

/** One person in their own browser context (own storage, own network switch). */
export interface Person {
  context: BrowserContext;
  page: Page;
  username: string;
  displayName: string;
  password: string;
  /** Page errors and CSP violations seen so far; a test asserts it stays empty. */
  problems: string[];
}

/** Opens a fresh context and page on the client, collecting script errors and CSP reports. */
export async function openPerson(browser: Browser, origin: string, displayName: string, viewport = { width: 1100, height: 760 }): Promise<Person> {
  const context = await browser.newContext({ viewport, baseURL: origin });
  const page = await context.newPage();
  page.setDefaultTimeout(UI_TIMEOUT_MS);
  const problems: string[] = [];
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error' && /Content Security Policy|Refused to/i.test(msg.text())) problems.push(`CSP: ${msg.text()}`);
  });
  await page.goto('/');
  return { context, page, username: unique(displayName.toLowerCase().replace(/\W/g, '')), displayName, password: 'correct horse battery', problems };
}

/** Creates the person's account through the sign-in screen and waits for the chat to appear. */
export async function registerThroughUi(person: Person): Promise<void> {
  const { page } = person;
  await page.getByRole('tab', { name: 'Create account' }).click();
  await page.getByLabel('Username').fill(person.username);
  await page.getByLabel('Email').fill(`${person.username}@example.test`);
  await page.getByLabel('Display name').fill(person.displayName);
  await page.getByLabel('Password').fill(person.password);
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.getByRole('button', { name: 'New room' }).waitFor();
}

/** Fills the sign-in form and presses "Log in"; the caller waits for what should follow. */
export async function submitLogin(page: Page, login: string, password: string): Promise<void> {
  await page.getByLabel('Username or email').fill(login);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Log in', exact: true }).click();
}

/** Creates a room from the sidebar and waits for its conversation to open. */
export async function createRoomThroughUi(page: Page, name: string, type: 'public' | 'private' = 'public'): Promise<void> {
  await page.getByRole('button', { name: 'New room' }).click();
  await page.getByLabel('Room name').fill(name);
  if (type === 'private') await page.getByLabel(/Private/).check();
  await page.getByRole('button', { name: 'Create room' }).click();
  await page.getByRole('heading', { name, exact: true }).waitFor();
}

/** Joins a public room through "Browse rooms". */
export async function joinRoomThroughUi(page: Page, name: string): Promise<void> {
  await page.getByRole('button', { name: 'Browse rooms' }).click();
  await page.getByLabel('Search public rooms').fill(name);
  await page.getByRole('button', { name: `Join ${name}` }).click();
  await page.getByRole('heading', { name, exact: true }).waitFor();
}

/** Types and sends a message with the keyboard. */
export async function sendMessage(page: Page, text: string): Promise<void> {
  const box = page.getByRole('textbox', { name: 'Message', exact: true });
  await box.fill(text);
  await box.press('Enter');
}

/** The message bubble (any state) whose text contains `text`. */
export function message(page: Page, text: string) {
  return page.locator('.message-list > li', { has: page.locator('.msg-body', { hasText: text }) });
}

/** Texts of the delivered messages in the open conversation, in display order. */
export function messageTexts(page: Page): Promise<string[]> {
  return page.locator('.message-list > li.msg:not(.pending) .msg-body').allTextContents();
}

/** Writes docs/screenshots/<name>.png. */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`) });
}

/** Resolves once `predicate` holds in the page, polling; clearer failures than a bare timeout. */
export async function waitUntil(page: Page, what: string, predicate: () => Promise<boolean>, timeoutMs = UI_TIMEOUT_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await predicate()) return;
    await page.waitForTimeout(200);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting until ${what}`);
}

/** A small valid PNG (a diagonal gradient), built by hand so the test needs no fixture file. */
export function gradientPng(width = 96, height = 64): Buffer {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc32 = (buf: Buffer) => {
    let c = 0xffffffff;
    for (const byte of buf) c = crcTable[(c ^ byte) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([len, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // truecolour RGB
  const rows: number[] = [];
  for (let y = 0; y < height; y++) {
    rows.push(0);
    for (let x = 0; x < width; x++) rows.push(79 + Math.round((x / width) * 120), 70 + Math.round((y / height) * 150), 229);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(Buffer.from(rows))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}
