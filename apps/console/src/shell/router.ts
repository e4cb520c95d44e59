// Hash routes (`#/<page>?<params>`): the API serves one HTML file, and the route never reaches it.
import { useEffect, useState } from 'preact/hooks';

export interface Route {
  readonly pageId: string;
  readonly params: URLSearchParams;
}

/** Parses `#/devices?serial=X` into `{ pageId: 'devices', params: serial=X }`. */
export function parseRoute(hash: string): Route {
  const body = hash.replace(/^#\/?/, '');
  const question = body.indexOf('?');
  const path = question < 0 ? body : body.slice(0, question);
  const query = question < 0 ? '' : body.slice(question + 1);
  return { pageId: path.split('/')[0] ?? '', params: new URLSearchParams(query) };
}

/** The current route, following `hashchange`. */
export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(window.location.hash));
  useEffect(() => {
    const follow = (): void => setRoute(parseRoute(window.location.hash));
    window.addEventListener('hashchange', follow);
    return () => window.removeEventListener('hashchange', follow);
  }, []);
  return route;
}

export function navigate(route: string): void {
  window.location.hash = route.startsWith('#') ? route : `#${route.startsWith('/') ? route : `/${route}`}`;
}
