/**
 * The console page's routing and polling, without a browser (the page's pure parts): a hash that does not
 * percent-decode (`#/executions/%`) is a route like any other, not a URIError that leaves the page dead, and a view
 * whose refresh fails keeps polling (execution-view.ts rethrows to poll, which tries again).
 */
import { poll } from '../../../local/console/web/poll';
import { parseRoute } from '../../../local/console/web/route';

describe('parseRoute', () => {
  it.each([
    ['#/executions/%', '%'],
    ['#/executions/%E0%A4%A', '%E0%A4%A'],
    ['#/executions/abc%2Fdef', 'abc/def'],
    ['#/executions/tx-1', 'tx-1'],
  ])('%s names the execution %j, without throwing', (hash, name) => {
    const route = parseRoute(hash);
    expect(route.view).toBe('execution');
    expect(route.params.get('name')).toBe(name);
  });

  it('the list with its filters, the audit, and anything else is the list', () => {
    expect(parseRoute('#/?outcome=RECORDED').view).toBe('executions');
    expect(parseRoute('#/?outcome=RECORDED').params.get('outcome')).toBe('RECORDED');
    expect(parseRoute('#/audit').view).toBe('audit');
    expect(parseRoute('').view).toBe('executions');
    expect(parseRoute('#/nonsense/%').view).toBe('executions');
  });
});

describe('poll', () => {
  const g = globalThis as unknown as { window?: unknown };
  beforeAll(() => {
    g.window = { setTimeout: (fn: () => void) => setTimeout(fn, 0), clearTimeout: (t: NodeJS.Timeout) => clearTimeout(t) };
  });
  afterAll(() => delete g.window);

  it('goes on after failed refreshes, and stops when the refresh says so', async () => {
    const answers = ['fail', 'fail', 'fail', 'running', 'done'];
    let calls = 0;
    await new Promise<void>((resolve) => {
      poll(async () => {
        const a = answers[calls++];
        if (a === 'fail') throw new Error('execution not found');
        if (a === 'done') resolve();
        return a === 'running';
      }, 0);
    });
    await new Promise((r) => setTimeout(r, 20));
    expect(calls).toBe(5);
  });
});
