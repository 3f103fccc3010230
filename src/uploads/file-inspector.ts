import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';

// file-type is ESM-only. Node (>= 20.19) loads it with require(esm), and jest transforms it (see
// jest.config.js); `file-type/core` is the entry point with a plain `default` export condition.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const fileType = require('file-type/core') as typeof import('file-type/core', { with: { 'resolution-mode': 'import' } });

/** A type the server accepts, with the file extensions that belong to it (first = canonical). */
export interface AcceptedType {
  mime: string;
  extensions: string[];
  /** The message type a message takes when this is its first attachment. */
  kind: 'image' | 'file' | 'audio';
}

/**
 * What file-type may report, mapped to what is stored. WebM and Ogg are accepted as audio (API.md
 * allows audio only); a video track inside is not played by the clients, it is only a download.
 */
const ACCEPTED: Record<string, AcceptedType> = {
  'image/png': { mime: 'image/png', extensions: ['png'], kind: 'image' },
  'image/jpeg': { mime: 'image/jpeg', extensions: ['jpg', 'jpeg'], kind: 'image' },
  'image/gif': { mime: 'image/gif', extensions: ['gif'], kind: 'image' },
  'image/webp': { mime: 'image/webp', extensions: ['webp'], kind: 'image' },
  'application/pdf': { mime: 'application/pdf', extensions: ['pdf'], kind: 'file' },
  'audio/mpeg': { mime: 'audio/mpeg', extensions: ['mp3'], kind: 'audio' },
  'audio/ogg': { mime: 'audio/ogg', extensions: ['ogg', 'oga', 'opus'], kind: 'audio' },
  'audio/opus': { mime: 'audio/ogg', extensions: ['ogg', 'oga', 'opus'], kind: 'audio' },
  'audio/wav': { mime: 'audio/wav', extensions: ['wav'], kind: 'audio' },
  'audio/vnd.wave': { mime: 'audio/wav', extensions: ['wav'], kind: 'audio' },
  'audio/webm': { mime: 'audio/webm', extensions: ['webm', 'weba'], kind: 'audio' },
  'video/webm': { mime: 'audio/webm', extensions: ['webm', 'weba'], kind: 'audio' },
};

/** Plain text: valid UTF-8 without NUL bytes and not markup a browser would render. */
export const PLAIN_TEXT: AcceptedType = { mime: 'text/plain', extensions: ['txt', 'text', 'md', 'csv', 'log'], kind: 'file' };

/** The message type of a stored mime type. */
export function kindOfMime(mime: string): 'image' | 'file' | 'audio' {
  if (mime.startsWith('image/')) return 'image';
  if (mime.startsWith('audio/')) return 'audio';
  return 'file';
}

/**
 * Starts of documents browsers sniff as HTML or XML/SVG (after the WHATWG MIME sniffing rules), which
 * are refused even though they are text: served elsewhere they could run script.
 */
const MARKUP_START = /^(<!doctype\s+html|<html|<head|<body|<script|<iframe|<h1|<div|<font|<table|<a|<style|<title|<b|<br|<p|<svg|<\?xml|<!--|<!\[cdata\[|<xsl|<math|<object|<embed|<img|<form|<meta|<link|<base)([\s>/]|$)/i;

/** Bytes read from the start of a file for magic-byte detection. */
const HEAD_BYTES = 4100;

async function readHead(path: string): Promise<Buffer> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(HEAD_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, HEAD_BYTES, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/** True when the whole file is valid UTF-8 without NUL characters (read as a stream, never whole). */
async function isUtf8Text(path: string): Promise<boolean> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  try {
    for await (const chunk of createReadStream(path)) {
      const buffer = chunk as Buffer;
      if (buffer.includes(0)) return false;
      decoder.decode(buffer, { stream: true });
    }
    decoder.decode();
    return true;
  } catch {
    return false;
  }
}

/** True when text starts like markup a browser would render (leading BOM and whitespace ignored). */
export function looksLikeMarkup(head: string): boolean {
  return MARKUP_START.test(head.replace(/^\uFEFF/, '').trimStart());
}

/**
 * Decides the type of a stored temporary file from its content only (never its name or the client's
 * Content-Type): magic bytes through file-type, else plain text.
 * @returns the accepted type, or null when the content is not one the server accepts.
 */
export async function inspectFile(path: string, size: number): Promise<AcceptedType | null> {
  if (size === 0) return null;
  const head = await readHead(path);
  const detected = await fileType.fileTypeFromBuffer(head);
  if (detected) return ACCEPTED[detected.mime] ?? null;
  if (looksLikeMarkup(head.toString('utf8'))) return null;
  return (await isUtf8Text(path)) ? PLAIN_TEXT : null;
}

/**
 * A file name safe to show and to put in Content-Disposition: the last path segment only, control
 * and bidi-override characters removed, at most 200 characters, and an extension that matches the
 * stored type (the right one is appended when the given one does not belong to it).
 */
export function safeFileName(given: string | undefined, type: AcceptedType): string {
  let name = (given ?? '').split(/[\\/]/).pop() ?? '';
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is removed here
  name = name.replace(/[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, '').trim();
  name = name.replace(/^\.+/, '');
  if (name === '') name = 'file';
  const dot = name.lastIndexOf('.');
  const ext = dot > 0 ? name.slice(dot + 1).toLowerCase() : '';
  if (!type.extensions.includes(ext)) name = `${name}.${type.extensions[0]}`;
  if (name.length > 200) {
    // Cut by code points, never inside a surrogate pair (a lone half would be stored as U+FFFD).
    const suffix = `.${type.extensions[0]}`;
    name = [...name.slice(0, 200 - suffix.length + 1)].join('');
    if (name.length > 200 - suffix.length) name = [...name].slice(0, -1).join('');
    name += suffix;
  }
  return name;
}

/** A Content-Disposition header value with an ASCII fallback and the exact UTF-8 name (RFC 6266). */
export function contentDisposition(kind: 'inline' | 'attachment', name: string): string {
  const fallback = name.replace(/[^\x20-\x7e]|["\\%]/g, '_');
  const encoded = encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `${kind}; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}
