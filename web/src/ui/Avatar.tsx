// A person's picture: their uploaded avatar when it lives on this server (fetched with the bearer
// token and shown through a blob: URL, as the CSP allows), otherwise their initials.
import type { JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { Http } from '../api/http';
import { displayName } from '../state/chat';
import { useChat } from './context';
import { initials } from './format';

const blobUrls = new Map<string, Promise<string>>();

/** An object URL for an authenticated upload, fetched once per URL. */
export function uploadBlobUrl(http: Http, url: string): Promise<string> {
  let p = blobUrls.get(url);
  if (!p) {
    p = http.blob(url).then((b) => URL.createObjectURL(b));
    p.catch(() => blobUrls.delete(url));
    blobUrls.set(url, p);
  }
  return p;
}

/** The same-origin path of an avatar URL, or null when it is elsewhere (the CSP would block it). */
function localUploadPath(url: string | null | undefined): string | null {
  if (!url) return null;
  try {
    const u = new URL(url, location.origin);
    return u.origin === location.origin && u.pathname.startsWith('/api/v1/uploads/') ? u.pathname : null;
  } catch {
    return null;
  }
}

/** The image of an authenticated upload URL once fetched (null until then or on failure). */
export function useUploadSrc(url: string | null): string | null {
  const chat = useChat();
  const [src, setSrc] = useState<string | null>(null);
  useEffect(() => {
    setSrc(null);
    if (!url) return;
    let live = true;
    uploadBlobUrl(chat.http, url).then(
      (s) => live && setSrc(s),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [url]);
  return src;
}

export function Avatar({ user, small, online, fallback }: { user: { display_name?: string | null; username?: string; avatar_url?: string | null } | null | undefined; small?: boolean; online?: boolean; fallback?: JSX.Element }): JSX.Element {
  const src = useUploadSrc(localUploadPath(user?.avatar_url));
  return (
    <span class={`avatar${small ? ' small' : ''}`} aria-hidden="true">
      {src ? <img class="avatar-img" src={src} alt="" /> : (fallback ?? initials(displayName(user)))}
      {online === undefined ? null : <span class={`dot ${online ? 'online' : 'offline'}`} />}
    </span>
  );
}
