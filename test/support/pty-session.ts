/** The `sluice` command in a real pseudo-terminal (node-pty), for REPL tests. */
import * as pty from 'node-pty';
import { sluiceBin } from './repo-root.js';

// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;?]*[A-Za-z]/g;

export class PtySession {
  private raw = '';
  private mark = 0;
  readonly exited: Promise<number>;
  private readonly proc: pty.IPty;

  constructor(args: string[], env: Record<string, string>) {
    this.proc = pty.spawn(process.execPath, [sluiceBin(), ...args], { cols: 120, rows: 40, env: { ...process.env, ...env } as Record<string, string> });
    this.proc.onData((d) => (this.raw += d));
    this.exited = new Promise((resolve) => this.proc.onExit((e) => resolve(e.exitCode)));
  }

  /** what the terminal showed, escape sequences removed */
  get text(): string {
    return this.raw.replace(ANSI, '');
  }

  /** types `keys`; later waits look only at what follows */
  type(keys: string): void {
    this.mark = this.text.length;
    this.proc.write(keys);
  }

  async waitFor(pattern: RegExp, timeoutMs = 15_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const seen = this.text.slice(this.mark);
      if (pattern.test(seen)) return seen;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${pattern}; the terminal showed:\n${this.text}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  kill(): void {
    try {
      this.proc.kill();
    } catch {
      // already gone
    }
  }
}
