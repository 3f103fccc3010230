// Desktop notifications and a notification sound for messages that arrive while the tab is hidden:
// DMs and mentions, and every message in rooms at level "all" (state/levels.ts decides). The
// browser's permission is only ever asked for from the button in settings, never on load. The
// notification shows the message's plain text (its markdown dropped, never rendered markup);
// clicking it opens the room. System lines never notify (state/levels.ts).
import type { Message, Room } from './api/types';
import { previewText } from '../../src/shared/markdown-text';
import { shouldNotify } from './state/levels';

const ENABLED_KEY = 'chat.desktop-notifications';
const SOUND_KEY = 'chat.notification-sound';
const BODY_MAX_CHARS = 140;

/** True when this browser has the Notification API. */
export function notificationsSupported(): boolean {
  return typeof window !== 'undefined' && 'Notification' in window;
}

/** "granted" | "denied" | "default", or "unsupported". */
export function notificationPermission(): NotificationPermission | 'unsupported' {
  return notificationsSupported() ? Notification.permission : 'unsupported';
}

/** Whether the person turned desktop notifications on here (and the browser still allows them). */
export function desktopNotificationsOn(): boolean {
  return notificationPermission() === 'granted' && localStorage.getItem(ENABLED_KEY) === 'on';
}

/**
 * Asks the browser for permission (call from a click only) and turns notifications on when granted.
 * Returns the resulting permission.
 */
export async function enableDesktopNotifications(): Promise<NotificationPermission | 'unsupported'> {
  if (!notificationsSupported()) return 'unsupported';
  const result = Notification.permission === 'granted' ? 'granted' : await Notification.requestPermission();
  if (result === 'granted') localStorage.setItem(ENABLED_KEY, 'on');
  return result;
}

/** Turns desktop notifications off on this device (the browser permission stays as it is). */
export function disableDesktopNotifications(): void {
  localStorage.setItem(ENABLED_KEY, 'off');
}

/** Whether a notification also plays a short sound (default on). */
export function soundOn(): boolean {
  return localStorage.getItem(SOUND_KEY) !== 'off';
}

/** Sets the sound preference. */
export function setSound(on: boolean): void {
  localStorage.setItem(SOUND_KEY, on ? 'on' : 'off');
}

let audio: AudioContext | null = null;

/** Two short sine tones (≈ 0.25 s) made with WebAudio, so no sound file is needed. */
export function playChime(): void {
  try {
    audio ??= new AudioContext();
    const ctx = audio;
    void ctx.resume();
    const start = ctx.currentTime;
    [880, 1320].forEach((freq, i) => {
      const osc = ctx.createOscillator();
      const gain = ctx.createGain();
      const t = start + i * 0.12;
      osc.frequency.value = freq;
      gain.gain.setValueAtTime(0.0001, t);
      gain.gain.exponentialRampToValueAtTime(0.15, t + 0.01);
      gain.gain.exponentialRampToValueAtTime(0.0001, t + 0.12);
      osc.connect(gain).connect(ctx.destination);
      osc.start(t);
      osc.stop(t + 0.13);
    });
  } catch {
    // Audio may be unavailable (no output device, autoplay policy); the notification still shows.
  }
}

/**
 * The text a notification shows for a message: its preview (previewText, the rule of the server's
 * push previews: markdown dropped, white space collapsed, first 140 characters).
 */
export function notificationBody(m: Message): string {
  return previewText(m.content, BODY_MAX_CHARS) || (m.attachments.length ? 'Sent an attachment' : 'New message');
}

/**
 * Called for every brand-new live message: shows a desktop notification (and plays the chime) when
 * the tab is hidden, notifications are on, and the room's level wants this message.
 * `title`: the room's name as the list shows it. Clicking opens the room (`#/room/:id`).
 */
export function notifyIncoming(room: Room | undefined, m: Message, myId: string | undefined, title: string): void {
  if (document.visibilityState !== 'hidden' || !desktopNotificationsOn() || !shouldNotify(room, m, myId)) return;
  const sender = m.sender.display_name || m.sender.username || 'Someone';
  const heading = room?.type === 'dm' ? sender : `${sender} in ${title}`;
  try {
    const n = new Notification(heading, { body: notificationBody(m), tag: m.room_id, data: { room_id: m.room_id } });
    n.onclick = () => {
      window.focus();
      location.hash = `#/room/${m.room_id}`;
      n.close();
    };
  } catch {
    // Some mobile browsers only allow notifications from a service worker; Web Push covers them.
  }
  if (soundOn()) playChime();
}
