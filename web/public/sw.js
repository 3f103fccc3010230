// Service worker for Web Push (served at /sw.js, scope /). A push carries
// {room_id, message_id, seq, sender: {id, display_name}, room_name?, preview?} (README, "Push
// notifications"); it is shown as a notification tagged with the room, so a newer push for the same
// room replaces the older one. Clicking focuses an open tab and opens the room there, or opens one.
/* global self, URL */
self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));

self.addEventListener('push', (event) => {
  let data = {};
  try {
    data = event.data ? event.data.json() : {};
  } catch {
    data = {};
  }
  const sender = (data.sender && data.sender.display_name) || 'Someone';
  const title = data.room_name ? `${sender} in ${data.room_name}` : sender;
  const body = typeof data.preview === 'string' && data.preview ? data.preview : 'New message';
  const roomId = typeof data.room_id === 'string' ? data.room_id : null;
  event.waitUntil(self.registration.showNotification(title, { body, tag: roomId || 'chat', data: { room_id: roomId }, icon: '/favicon.svg' }));
});

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const roomId = event.notification.data && event.notification.data.room_id;
  const url = roomId ? `/#/room/${roomId}` : '/';
  event.waitUntil(
    self.clients.matchAll({ type: 'window', includeUncontrolled: true }).then((windows) => {
      const open = windows.find((w) => new URL(w.url).origin === self.location.origin);
      if (open) {
        open.postMessage({ type: 'open-room', room_id: roomId });
        return open.focus();
      }
      return self.clients.openWindow(url);
    }),
  );
});
