/**
 * Runs a bundled Lambda handler in a FRESH node process, as a Lambda runtime would: plain node, no loader
 * (tsx or jest would add their own start-up cost). Forked with an IPC channel by bench/run.ts and by
 * test/e2e/bad-input.test.ts; the handler's own stdout (its JSON log lines) is left to the parent.
 *
 *   node bench/lambda-child.cjs <bundle.js> cold   <events.json>            first event only
 *   node bench/lambda-child.cjs <bundle.js> warm   <events.json> <n> <warm>  n timed events after warm-up
 *   node bench/lambda-child.cjs <bundle.js> invoke <events.json>            every event, responses returned
 *
 * Plain CommonJS on purpose: it must start as fast as the runtime's bootstrap does.
 */
'use strict';
const { readFileSync } = require('node:fs');

const [bundlePath, mode, eventsFile, nArg, warmArg] = process.argv.slice(2);
const events = JSON.parse(readFileSync(eventsFile, 'utf8'));

let requestId = 0;
/** What the Lambda runtime passes: middy's timeoutEarly and Powertools read it. */
function context() {
  const deadline = Date.now() + 4000; // the deployed timeout (infra/sma-function.ts)
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: 'sma-handler',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:sma-handler',
    memoryLimitInMB: '512',
    awsRequestId: `bench-${++requestId}`,
    logGroupName: '/aws/lambda/sma-handler',
    logStreamName: 'bench',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done() {},
    fail() {},
    succeed() {},
  };
}

const ms = (from, to) => Number(to - from) / 1e6;
const cpuMs = (u) => (u.userCPUTime + u.systemCPUTime) / 1000;

async function main() {
  if (mode === 'cold') {
    const c0 = process.resourceUsage();
    const t0 = process.hrtime.bigint();
    const { handler } = require(bundlePath);
    const t1 = process.hrtime.bigint();
    await handler(events[0], context());
    const t2 = process.hrtime.bigint();
    const usage = process.resourceUsage();
    // handlerCpuMs: the CPU of load + first event only (node's own start-up left out); steadier than wall time
    // on a shared machine, where another process can take the core in the middle of a cold start.
    return {
      loadMs: ms(t0, t1),
      firstEventMs: ms(t1, t2),
      totalMs: ms(t0, t2),
      maxRssKb: usage.maxRSS,
      cpuMs: cpuMs(usage),
      handlerCpuMs: cpuMs(usage) - cpuMs(c0),
    };
  }
  const { handler } = require(bundlePath);
  if (mode === 'invoke') {
    const results = [];
    for (const event of events) {
      try {
        results.push({ response: await handler(event, context()) });
      } catch (e) {
        results.push({ thrown: `${e?.name}: ${e?.message}` });
      }
    }
    return { results };
  }
  if (mode === 'warm') {
    const n = Number(nArg);
    const warm = Number(warmArg);
    for (let i = 0; i < warm; i++) await handler(events[i % events.length], context());
    const latencies = new Float64Array(n);
    const before = process.resourceUsage();
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) {
      const s = process.hrtime.bigint();
      await handler(events[i % events.length], context());
      latencies[i] = ms(s, process.hrtime.bigint());
    }
    const wallMs = ms(t0, process.hrtime.bigint());
    const after = process.resourceUsage();
    latencies.sort();
    const at = (q) => latencies[Math.min(n - 1, Math.floor(q * n))];
    return {
      n,
      p50Ms: at(0.5),
      p99Ms: at(0.99),
      maxMs: latencies[n - 1],
      meanMs: wallMs / n,
      cpuMsPerEvent: (cpuMs(after) - cpuMs(before)) / n,
      maxRssKb: after.maxRSS,
    };
  }
  throw new Error(`unknown mode ${mode}`);
}

main().then(
  (result) => process.send(result, () => process.exit(0)),
  (e) => process.send({ error: String(e?.stack || e) }, () => process.exit(1)),
);
