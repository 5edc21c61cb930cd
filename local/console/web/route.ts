/** Which view a location hash names (main.ts draws it). Pure, so a hash can never throw the page off its route. */
export type RouteName = 'execution' | 'audit' | 'executions';

export interface Route {
  view: RouteName;
  /** For the executions list and the audit: the filters; for one execution: also `name`. */
  params: URLSearchParams;
}

/**
 * `#/executions/NAME` names NAME percent-decoded; a name that does not decode (`#/executions/%`) is taken as it
 * is written, so the page shows "not found" for it and keeps polling instead of throwing URIError out of the router.
 */
export function parseRoute(hash: string): Route {
  const [path, query = ''] = hash.replace(/^#/, '').split('?');
  const params = new URLSearchParams(query);
  const m = /^\/executions\/([^/]+)$/.exec(path);
  if (m) {
    params.set('name', decodeOrSelf(m[1]));
    return { view: 'execution', params };
  }
  return { view: path === '/audit' ? 'audit' : 'executions', params };
}

function decodeOrSelf(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
