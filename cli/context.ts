/** What a command runs with: where to write, the environment, the global options and a lazy connection. */
import { connect, type Connection, type GlobalOptions } from './clients';
import type { Io, Output } from './command-line';

export type { Output };
export type CliIO = Io;

export interface CommandContext {
  io: CliIO;
  env: NodeJS.ProcessEnv;
  globals: GlobalOptions;
  /** Made on first use, so `--help` and argument errors never build a client. */
  connection(): Connection;
  out(text: string): void;
  err(text: string): void;
}

export function makeContext(io: CliIO, env: NodeJS.ProcessEnv, globals: GlobalOptions): CommandContext & { close(): void } {
  let conn: Connection | undefined;
  return {
    io,
    env,
    globals,
    connection: () => (conn ??= connect(globals, env)),
    out: (text) => void io.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
    err: (text) => void io.stderr.write(text.endsWith('\n') ? text : `${text}\n`),
    close: () => conn?.close(),
  };
}
