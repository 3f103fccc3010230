// Web Push on this device: registers the service worker (/sw.js), subscribes with the server's VAPID
// key and hands the subscription to POST /push/subscriptions; unsubscribing DELETEs it first, then
// unsubscribes the browser. The subscription id is kept in localStorage to know what to delete.
import type { Http } from './api/http';

const SUB_ID_KEY = 'chat.push-subscription-id';

/** True when service workers and the Push API are available (they need a secure context). */
export function pushSupported(): boolean {
  return typeof navigator !== 'undefined' && 'serviceWorker' in navigator && typeof window !== 'undefined' && 'PushManager' in window && window.isSecureContext;
}

/** Registers /sw.js (idempotent) and routes its "open this room" messages to the page's hash. */
export async function registerServiceWorker(): Promise<ServiceWorkerRegistration | null> {
  if (!('serviceWorker' in navigator)) return null;
  navigator.serviceWorker.onmessage = (e: MessageEvent<{ type?: string; room_id?: string }>) => {
    if (e.data?.type === 'open-room' && typeof e.data.room_id === 'string') location.hash = `#/room/${e.data.room_id}`;
  };
  return navigator.serviceWorker.register('/sw.js', { scope: '/' });
}

function keyBytes(base64url: string): Uint8Array<ArrayBuffer> {
  const b64 = base64url.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (base64url.length % 4)) % 4);
  const raw = atob(b64);
  const out = new Uint8Array(new ArrayBuffer(raw.length));
  for (let i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
  return out;
}

/** Whether this device currently has a push subscription registered with the server. */
export async function pushSubscribed(): Promise<boolean> {
  if (!pushSupported() || !localStorage.getItem(SUB_ID_KEY)) return false;
  const reg = await navigator.serviceWorker.getRegistration('/');
  return Boolean(await reg?.pushManager.getSubscription());
}

/**
 * Subscribes this device (asks for the notification permission first; call from a click) and
 * registers it with the server. `previews`: let pushes carry the start of the message text.
 * Throws when the permission is refused or the server refuses the subscription.
 */
export async function subscribePush(http: Http, previews: boolean): Promise<void> {
  if (!pushSupported()) throw new Error('This browser cannot receive push notifications here (it needs https and a service worker).');
  if ((await Notification.requestPermission()) !== 'granted') throw new Error('Notifications are blocked for this site in the browser.');
  const reg = await registerServiceWorker();
  if (!reg) throw new Error('The service worker could not be registered.');
  await navigator.serviceWorker.ready;
  const { key } = await http.call('get', '/push/vapid-public-key', {});
  const sub = (await reg.pushManager.getSubscription()) ?? (await reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(key) }));
  const json = sub.toJSON();
  if (!json.endpoint || !json.keys?.p256dh || !json.keys.auth) throw new Error('The browser returned an incomplete push subscription.');
  const { id } = await http.call('post', '/push/subscriptions', { body: { endpoint: json.endpoint, keys: { p256dh: json.keys.p256dh, auth: json.keys.auth }, previews } });
  localStorage.setItem(SUB_ID_KEY, id);
}

/** Removes this device's subscription from the server, then from the browser. */
export async function unsubscribePush(http: Http): Promise<void> {
  const id = localStorage.getItem(SUB_ID_KEY);
  if (id) {
    try {
      await http.call('delete', '/push/subscriptions/{id}', { path: { id } });
    } catch {
      // Already gone (404: removed after the push service forgot it, or the session ended).
    }
    localStorage.removeItem(SUB_ID_KEY);
  }
  const reg = 'serviceWorker' in navigator ? await navigator.serviceWorker.getRegistration('/') : undefined;
  await (await reg?.pushManager.getSubscription())?.unsubscribe();
}

/** On page load: when this device has subscribed before, re-register the worker (no permission asked). */
export function resumePush(): void {
  if (pushSupported() && localStorage.getItem(SUB_ID_KEY)) registerServiceWorker().catch(() => undefined);
}
