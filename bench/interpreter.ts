/**
 * The Step Functions interpreter's own cost per state transition: a chain of N Pass states run on the
 * engine directly (no HTTP, a no-op task invoker, nothing sleeps), so the time is evaluation, variable
 * scoping and history recording only. Two chains: bare Pass states, and Pass states that evaluate a JSONata
 * Assign and Output each (what most states of the recording workflow do).
 */
import { ScaledClock } from '../local/clock';
import { StepFunctionsEngine } from '../local/stepfunctions';

export interface InterpreterResult {
  variant: string;
  states: number;
  executions: number;
  transitions: number;
  usPerTransition: number;
}

function chain(n: number, withJsonata: boolean): Record<string, unknown> {
  const states: Record<string, unknown> = {};
  for (let i = 0; i < n; i++) {
    const state: Record<string, unknown> = { Type: 'Pass', ...(i + 1 < n ? { Next: `S${i + 1}` } : { End: true }) };
    if (withJsonata) {
      state.Assign = { last: '{% $states.input.n %}' };
      state.Output = "{% { 'n': $states.input.n + 1, 'call': $states.input.call } %}";
    }
    states[`S${i}`] = state;
  }
  return { QueryLanguage: 'JSONata', StartAt: 'S0', States: states };
}

export async function measureInterpreter(states = 500, executions = 20): Promise<InterpreterResult[]> {
  const engine = new StepFunctionsEngine({ invoker: { invoke: async () => ({}) }, clock: new ScaledClock(1) });
  const out: InterpreterResult[] = [];
  try {
    for (const [variant, withJsonata] of [
      ['Pass', false],
      ['Pass + JSONata Assign/Output', true],
    ] as const) {
      const { stateMachineArn } = engine.createStateMachine({
        name: `chain-${withJsonata ? 'jsonata' : 'plain'}`,
        definition: chain(states, withJsonata),
      });
      const input = JSON.stringify({ n: 0, call: { transactionId: 'tx', callId: 'call', track: 'BOTH', location: 'bucket/prefix' } });
      // A warm-up execution: the first one compiles the JSONata expressions (cached per definition).
      await engine.waitForExecution(engine.startExecution({ stateMachineArn, name: 'warm-up', input }).executionArn);
      let transitions = 0;
      const t0 = process.hrtime.bigint();
      for (let e = 0; e < executions; e++) {
        const { executionArn } = engine.startExecution({ stateMachineArn, name: `run-${e}`, input });
        const info = await engine.waitForExecution(executionArn);
        if (info.status !== 'SUCCEEDED') throw new Error(`interpreter bench: ${variant} ended ${info.status} ${info.error ?? ''}`);
        transitions += info.stateTransitions;
      }
      const us = Number(process.hrtime.bigint() - t0) / 1000;
      out.push({ variant, states, executions, transitions, usPerTransition: us / transitions });
    }
    return out;
  } finally {
    engine.close();
  }
}
