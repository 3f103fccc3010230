// The "Notifications" section of settings: desktop notifications (asked for only by this button),
// the sound, and Web Push on this device (with or without message previews).
import type { JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { describeError } from '../../api/http';
import { desktopNotificationsOn, disableDesktopNotifications, enableDesktopNotifications, notificationPermission, playChime, setSound, soundOn } from '../../notify';
import { pushSubscribed, pushSupported, subscribePush, unsubscribePush } from '../../push';
import type { Chat } from '../../state/chat';

/** Settings section for desktop notifications, sound and push on this device. */
export function NotificationSettings({ chat }: { chat: Chat }): JSX.Element {
  const [desktop, setDesktop] = useState(desktopNotificationsOn());
  const [sound, setSoundState] = useState(soundOn());
  const [push, setPush] = useState(false);
  const [previews, setPreviews] = useState(false);
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<string | null>(null);
  useEffect(() => {
    pushSubscribed().then(setPush, () => setPush(false));
  }, []);
  const permission = notificationPermission();

  const toggleDesktop = async () => {
    setMessage(null);
    if (desktop) {
      disableDesktopNotifications();
      setDesktop(false);
      return;
    }
    const result = await enableDesktopNotifications();
    setDesktop(result === 'granted');
    if (result === 'denied') setMessage('Notifications are blocked for this site; allow them in the browser’s site settings.');
    if (result === 'unsupported') setMessage('This browser has no desktop notifications.');
  };
  const togglePush = async () => {
    setBusy(true);
    setMessage(null);
    try {
      if (push) await unsubscribePush(chat.http);
      else await subscribePush(chat.http, previews);
      setPush(!push);
    } catch (err) {
      setMessage(describeError(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div class="form notification-settings">
      <h3>Notifications</h3>
      <p class="muted">When this tab is hidden: direct messages and mentions, and every message in conversations set to “All messages”.</p>
      <p>
        <button type="button" class="button" aria-pressed={desktop ? 'true' : 'false'} disabled={permission === 'unsupported'} onClick={() => void toggleDesktop()}>
          {desktop ? 'Turn off desktop notifications' : 'Turn on desktop notifications'}
        </button>
      </p>
      <label class="check">
        <input
          type="checkbox"
          checked={sound}
          onChange={(e) => {
            const on = e.currentTarget.checked;
            setSound(on);
            setSoundState(on);
            if (on) playChime();
          }}
        />{' '}
        Play a sound
      </label>
      <h4>Push to this device when the chat is closed</h4>
      {pushSupported() ? (
        <>
          {!push ? (
            <label class="check">
              <input type="checkbox" checked={previews} onChange={(e) => setPreviews(e.currentTarget.checked)} /> Show the start of the message (it passes through the browser maker’s push service)
            </label>
          ) : null}
          <p>
            <button type="button" class="button" disabled={busy} aria-pressed={push ? 'true' : 'false'} onClick={() => void togglePush()}>
              {push ? 'Stop push notifications on this device' : 'Get push notifications on this device'}
            </button>
          </p>
        </>
      ) : (
        <p class="muted">Push needs https and a browser with service workers.</p>
      )}
      <p class="form-error" role="alert" hidden={!message}>
        {message}
      </p>
    </div>
  );
}
