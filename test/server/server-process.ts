/** `sluice server` as a child process on a free port, for tests that drive it from outside. */
import { spawn, type ChildProcess } from 'node:child_process';
import { sluiceBin } from '../support/repo-root.js';

export interface ServerProcess {
  readonly child: ChildProcess;
  readonly url: string;
  readonly port: number;
  readonly stderr: () => string;
  /** SIGTERM, then the exit code */
  stop(): Promise<number | null>;
}

export async function startServerProcess(dataDir: string): Promise<ServerProcess> {
  const child = spawn(process.execPath, [sluiceBin(), 'server', '--data-dir', dataDir, '--listen', 'http://127.0.0.1:0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (c) => (stderr += c));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (c) => {
      out += c;
      const m = /listening on (\S+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    child.once('exit', () => reject(new Error(`server exited: ${stderr}`)));
  });
  return { child, url, port: Number(new URL(url).port), stderr: () => stderr, stop: () => (child.kill('SIGTERM'), exited) };
}
