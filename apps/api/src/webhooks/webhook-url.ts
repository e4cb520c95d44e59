import { isIP } from 'node:net';
import type { FieldIssue } from '../errors/app-error.js';

const MAX_URL_LENGTH = 2048;

function isLoopback(hostname: string): boolean {
  const host = hostname.startsWith('[') ? hostname.slice(1, -1) : hostname;
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  if (isIP(host) === 6) return host === '::1';
  return false;
}

/**
 * The problems of a subscription URL, named on `path` (empty when it is acceptable): an absolute
 * `https:` URL; `http:` only for a loopback host (a receiver on the API's own machine) or when
 * `allowHttp` (INGRAIN_WEBHOOKS_ALLOW_HTTP); no user name or password (a credential would show in
 * every list), no fragment, at most 2048 characters. Messages never echo the URL.
 */
export function webhookUrlIssues(text: string, allowHttp: boolean, path = 'body.url'): FieldIssue[] {
  if (text.length > MAX_URL_LENGTH) return [{ path, message: `at most ${MAX_URL_LENGTH} characters` }];
  if (!URL.canParse(text)) return [{ path, message: 'not an absolute URL' }];
  const url = new URL(text);
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return [{ path, message: 'expected an https:// URL' }];
  }
  if (url.protocol === 'http:' && !allowHttp && !isLoopback(url.hostname)) {
    return [
      {
        path,
        message: 'http:// is accepted only for a loopback host (set INGRAIN_WEBHOOKS_ALLOW_HTTP=true to allow others)',
      },
    ];
  }
  const issues: FieldIssue[] = [];
  if (url.username !== '' || url.password !== '') issues.push({ path, message: 'a URL may not carry credentials' });
  if (url.hash !== '') issues.push({ path, message: 'a URL may not have a fragment' });
  return issues;
}
