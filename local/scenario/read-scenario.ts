/**
 * Reading a scenario file with a bound on its size: `--scenario /dev/zero` (or a FIFO, or a mistaken multi-GB
 * file) must not grow the process until it aborts. The file is read in chunks and refused as soon as it passes
 * MAX_SCENARIO_BYTES, whatever its stat says (a device or a pipe reports size 0).
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { ScenarioError } from './scenario-file';

/**
 * 64 MiB: the largest file the twin takes. A call of the format is a few hundred bytes (the 100,000-call limit at
 * 600 bytes a call is 60 MB); a file past this is not a scenario anyone wrote.
 */
export const MAX_SCENARIO_BYTES = 64 * 1024 * 1024;
const CHUNK = 1024 * 1024;

/** The file's text (UTF-8); ScenarioError (field `<file>`) if it cannot be read or is larger than the bound. */
export function readScenarioFile(file: string, maxBytes = MAX_SCENARIO_BYTES): string {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (e) {
    throw new ScenarioError('<file>', `cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { cause: e });
  }
  try {
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(Math.min(CHUNK, maxBytes + 1 - total));
      let n: number;
      try {
        n = readSync(fd, chunk, 0, chunk.length, null);
      } catch (e) {
        throw new ScenarioError('<file>', `cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, {
          cause: e,
        });
      }
      if (n === 0) break;
      total += n;
      if (total > maxBytes)
        throw new ScenarioError(
          '<file>',
          `${file} is larger than ${maxBytes.toLocaleString('en-US')} bytes, the most a scenario file may be`,
        );
      chunks.push(chunk.subarray(0, n));
    }
    return Buffer.concat(chunks, total).toString('utf8');
  } finally {
    closeSync(fd);
  }
}
