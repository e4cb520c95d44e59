// The headers of every console response (docs/console.md, "Security model"): a strict
// Content-Security-Policy (scripts, styles and connections from this origin only; no inline script,
// no eval, no frame), no MIME sniffing, no referrer, no framing, isolated from other origins' windows.
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

export const CONSOLE_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'permissions-policy': 'camera=(), microphone=(), geolocation=(), usb=(), serial=()',
};

/** The console's URLs: its page, its assets, its session and its live-update stream. */
export function isConsoleUrl(url: string): boolean {
  const path = url.split('?', 1)[0] ?? '';
  return path === '/' || path.startsWith('/console/') || path === '/console' || path === '/v1/line/events';
}
