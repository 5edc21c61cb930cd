/**
 * Throughput of the whole twin: N calls placed at once (all in flight together), each through the SMA
 * emulator, the real SMA Lambda, the Step Functions interpreter and s3rver, until every workflow has ended
 * and every recording has landed. Run in its own process (bench/run.ts forks it) so maxRSS is this run's.
 *
 *   tsx bench/twin-load.ts [calls] [speed] [durationSeconds] [rampSeconds]
 *
 * The calls arrive evenly over rampSeconds of wall time and last durationSeconds (virtual), chosen so that
 * the last arrives before the first ends: all N are in flight together (peakInFlight says so). Placing all
 * of them in the same millisecond would instead measure the twin's shared HTTP agents (50 sockets per SDK
 * client, where 1,000 real Lambda instances would have one client each) rather than the workflow.
 *
 * At speed S one wall millisecond is S virtual ones, and 1,000 calls on 2 cores queue for the CPU: each
 * round trip through the Lambda takes far longer in wall time than it does unloaded. So the timeouts that
 * bound such a round trip (StartAttemptTimeoutSeconds, ConsentTimeoutSeconds) and the duration check's
 * tolerance get SLACK_WALL_SECONDS of wall time as slack (the twin's default slack is 1 s and 0.1 s), and
 * the Lambda's Step Functions request timeout its maximum (4 s). Nothing else differs from production.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCalls } from '../local/scenario/runner';
import type { ScenarioCall } from '../local/scenario/scenario-file';
import { DEFAULT_SETTINGS } from '../statemachines/definition';
import { startTwin } from '../local/twin/twin';

export const SLACK_WALL_SECONDS = 10;

export interface TwinLoadResult {
  calls: number;
  speed: number;
  durationSeconds: number;
  wallSeconds: number;
  callsPerSecond: number;
  outcomes: Record<string, number>;
  stateTransitions: number;
  transitionsPerSecond: number;
  maxRssMb: number;
  cpuSeconds: number;
  rampSeconds: number;
  /** most calls in flight at one time */
  peakInFlight: number;
  cpuMsPerCall: number;
  /** wall seconds from placing a call to its result: median and max */
  callWallP50: number;
  callWallMax: number;
}

export async function twinLoad(calls = 1000, speed = 1, durationSeconds = 60, rampSeconds = 50): Promise<TwinLoadResult> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-twin-load-'));
  const slack = Math.ceil(speed * SLACK_WALL_SECONDS);
  const twin = await startTwin({
    dataDir,
    pace: speed,
    settings: {
      StartAttemptTimeoutSeconds: DEFAULT_SETTINGS.StartAttemptTimeoutSeconds + slack,
      ConsentTimeoutSeconds: DEFAULT_SETTINGS.ConsentTimeoutSeconds + slack,
      DurationToleranceSeconds: DEFAULT_SETTINGS.DurationToleranceSeconds + slack,
    },
    lambdaEnv: { SFN_REQUEST_TIMEOUT_MS: '4000' },
  });
  try {
    const scenario: ScenarioCall[] = Array.from({ length: calls }, (_, i) => ({
      name: `load-${i}`,
      track: 'BOTH',
      legs: (i % 2 === 0 ? 2 : 1) as 1 | 2,
      durationSeconds,
      faults: {},
      expect: { outcome: 'RECORDED' },
    }));
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    let inFlight = 0;
    let peakInFlight = 0;
    const results = await Promise.all(
      scenario.map(async (call, i) => {
        await new Promise((resolve) => setTimeout(resolve, (i * rampSeconds * 1000) / calls));
        peakInFlight = Math.max(peakInFlight, ++inFlight);
        const [result] = await runCalls(twin, [call]);
        inFlight--;
        return result;
      }),
    );
    const wallSeconds = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const outcomes: Record<string, number> = {};
    for (const r of results) outcomes[r.outcome ?? r.status] = (outcomes[r.outcome ?? r.status] ?? 0) + 1;
    const prefix = twin.stateMachineArn.replace(':stateMachine:', ':execution:');
    const stateTransitions = results.reduce((n, r) => n + twin.engine.getExecution(`${prefix}:${r.executionName}`).stateTransitions, 0);
    const walls = results.map((r) => r.wallMs / 1000).sort((a, b) => a - b);
    return {
      calls,
      speed,
      durationSeconds,
      wallSeconds,
      callsPerSecond: calls / wallSeconds,
      outcomes,
      stateTransitions,
      transitionsPerSecond: stateTransitions / wallSeconds,
      maxRssMb: process.resourceUsage().maxRSS / 1024,
      cpuSeconds: (cpu.user + cpu.system) / 1e6,
      rampSeconds,
      peakInFlight,
      cpuMsPerCall: ((cpu.user + cpu.system) / 1e3) / calls,
      callWallP50: walls[Math.floor(walls.length / 2)],
      callWallMax: walls[walls.length - 1],
    };
  } finally {
    await twin.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  const [calls, speed, duration, ramp] = process.argv.slice(2).map(Number);
  twinLoad(calls || undefined, speed || undefined, duration || undefined, ramp || undefined).then(
    (r) => {
      if (process.send) process.send(r, () => process.exit(0));
      else {
        process.stdout.write(JSON.stringify(r, null, 2) + '\n');
        process.exit(0);
      }
    },
    (e) => {
      process.stderr.write(`twin load failed: ${(e as Error).stack ?? e}\n`);
      process.exit(1);
    },
  );
}
