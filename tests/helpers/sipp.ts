/** Runs Debian's sipp (package sip-tester) against a listener on loopback and reports how it went. */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from './bridge-process';

export const SIPP_DIR = join(REPO_ROOT, 'tests', 'fixtures', 'sipp');

export interface SippRun {
  code: number;
  stdout: string;
  stderr: string;
}

export function runSipp(args: string[], timeoutMs = 30_000): Promise<SippRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      'sipp',
      ['-nostdin', '-i', '127.0.0.1', '-p', '0', '-timeout', `${Math.round(timeoutMs / 1000)}s`, ...args],
      {
        cwd: SIPP_DIR,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}
