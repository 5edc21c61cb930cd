/**
 * The console page: three views chosen by the URL's hash, so the browser's back button and bookmarks work
 * and every view has its own address:
 *   #/                       executions (filters in the hash: #/?outcome=RECORDED&status=SUCCEEDED)
 *   #/executions/NAME        one execution
 *   #/audit                  the retry audit as pictures
 */
import { executionsView } from './executions-view';
import { executionView } from './execution-view';
import { auditView } from './audit-view';
import { parseRoute, type RouteName } from './route';

/** A view draws into its root and returns how to stop (its polling). */
export type View = (root: HTMLElement, params: URLSearchParams) => () => void;

const main = document.getElementById('main')!;
let stop: () => void = () => {};

const VIEWS: Record<RouteName, View> = { execution: executionView, audit: auditView, executions: executionsView };

function route(): void {
  stop();
  const { view: name, params } = parseRoute(location.hash);
  const view = VIEWS[name];
  const nav = name === 'audit' ? 'audit' : 'executions';
  for (const a of document.querySelectorAll<HTMLAnchorElement>('nav a')) {
    if (a.dataset.nav === nav) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  main.replaceChildren();
  stop = view(main, params);
  // Move focus to the new view's heading, as a page load would (screen readers and keyboard users start there).
  main.querySelector<HTMLElement>('h1')?.focus();
}

window.addEventListener('hashchange', route);
route();
