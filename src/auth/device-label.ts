/** Longest device label stored or shown, in characters. */
export const DEVICE_LABEL_MAX_CHARS = 64;

const BROWSERS: [RegExp, string][] = [
  [/\bEdg(e|A|iOS)?\//, 'Edge'],
  [/\b(OPR|Opera)\//, 'Opera'],
  [/\bSamsungBrowser\//, 'Samsung Internet'],
  [/\b(Firefox|FxiOS)\//, 'Firefox'],
  [/\b(Chrome|CriOS|Chromium)\//, 'Chrome'],
  [/\bVersion\/[\d.]+.*\bSafari\//, 'Safari'],
  [/^curl\//, 'curl'],
  [/^Wget\//i, 'Wget'],
  [/\bokhttp\//, 'Android app'],
  [/\bCFNetwork\//, 'Apple app'],
  [/^PostmanRuntime\//, 'Postman'],
  [/^python-requests\//, 'Python'],
  [/^(node-fetch|undici|node)\b/i, 'Node.js'],
  [/^Dart\//, 'Dart app'],
];

const SYSTEMS: [RegExp, string][] = [
  [/\biPhone\b/, 'iPhone'],
  [/\biPad\b/, 'iPad'],
  [/\bAndroid\b/, 'Android'],
  [/\bCrOS\b/, 'ChromeOS'],
  [/\bWindows\b/, 'Windows'],
  [/\b(Mac OS X|Macintosh|Darwin)\b/, 'macOS'],
  [/\bLinux\b/, 'Linux'],
];

/**
 * A short human label for the device behind a User-Agent ("Firefox on Linux", "Safari on iPhone",
 * "curl"), shown in the sessions list. Falls back to the product token, then to "Unknown device".
 */
export function deviceLabel(userAgent: string | null | undefined): string {
  const ua = (userAgent ?? '').trim();
  if (ua === '') return 'Unknown device';
  const browser = BROWSERS.find(([pattern]) => pattern.test(ua))?.[1];
  const system = SYSTEMS.find(([pattern]) => pattern.test(ua))?.[1];
  let label: string;
  if (browser && system) label = `${browser} on ${system}`;
  else if (browser ?? system) label = (browser ?? system)!;
  else label = /^[^\s/;()]+/.exec(ua)?.[0] ?? 'Unknown device';
  return label.slice(0, DEVICE_LABEL_MAX_CHARS);
}
