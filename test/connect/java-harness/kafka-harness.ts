/**
 * Runs test cases through Kafka Connect's own classes (Harness.java) in one long-lived JVM per
 * test file. The jars (connect-api, connect-json, connect-transforms, connect-runtime) are fetched
 * by Maven into ~/.cache/sluice/connect-<version> the first time; nothing is committed.
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { HarnessCase, HarnessOutcome } from './harness-case.js';

export const KAFKA_VERSION = '4.1.1';

function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('package.json not found');
    dir = up;
  }
  return dir;
}

const SOURCE_DIR = join(repoRoot(), 'test', 'connect', 'java-harness');
const CACHE = process.env['SLUICE_CONNECT_JARS'] ?? join(homedir(), '.cache', 'sluice', `connect-${KAFKA_VERSION}`);
const CLASSES = `${CACHE}-harness`;

function has(cmd: string): boolean {
  return spawnSync(cmd, ['-version'], { stdio: 'ignore' }).status === 0;
}

/** fetches the jars and compiles the harness when needed; returns why it cannot run, or null */
export function prepareKafkaHarness(): string | null {
  if (!has('java') || !has('javac')) return 'java/javac not found';
  // test files run in parallel processes: one fetches and compiles while the others wait
  const lock = `${CACHE}.lock`;
  const deadline = Date.now() + 420_000;
  for (;;) {
    try {
      mkdirSync(lock, { recursive: false });
      break;
    } catch {
      // a lock left by a killed process is stale after 10 minutes
      if (Date.now() - (statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now()) > 600_000) rmSync(lock, { recursive: true, force: true });
      if (Date.now() > deadline) return 'timed out waiting for another test process to fetch the Kafka jars';
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
    }
  }
  try {
    const jarsPresent = existsSync(CACHE) && readdirSync(CACHE).some((f) => f.startsWith('connect-transforms-'));
    if (!jarsPresent) {
      const mvn = spawnSync('mvn', ['-q', '-B', '-f', join(SOURCE_DIR, 'pom.xml'), 'dependency:copy-dependencies', `-DoutputDirectory=${CACHE}`, '-DincludeScope=runtime'], { stdio: 'inherit', timeout: 300_000 });
      if (mvn.status !== 0) return 'could not fetch Kafka Connect jars with Maven';
    }
    const source = join(SOURCE_DIR, 'Harness.java');
    const compiled = join(CLASSES, 'Harness.class');
    if (!existsSync(compiled) || statSync(compiled).mtimeMs < statSync(source).mtimeMs) {
      mkdirSync(CLASSES, { recursive: true });
      const javac = spawnSync('javac', ['-nowarn', '-d', CLASSES, '-cp', `${CACHE}/*`, source], { stdio: 'inherit', timeout: 120_000 });
      if (javac.status !== 0) return 'javac failed on Harness.java';
    }
    return null;
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

export class KafkaHarness {
  private readonly pending = new Map<string, (o: HarnessOutcome) => void>();

  private constructor(private readonly proc: ChildProcessWithoutNullStreams) {
    createInterface({ input: proc.stdout }).on('line', (line) => {
      const out = JSON.parse(line) as HarnessOutcome & { id: string };
      const resolve = this.pending.get(out.id);
      this.pending.delete(out.id);
      resolve?.(out);
    });
    proc.on('exit', () => {
      for (const [id, resolve] of this.pending) resolve({ error: { kind: 'other', class: 'harness', message: `JVM exited before answering ${id}` } });
      this.pending.clear();
    });
  }

  static start(): KafkaHarness {
    const proc = spawn('java', ['-Duser.timezone=UTC', '-Xshare:auto', '-XX:TieredStopAtLevel=1', '-cp', `${CACHE}/*:${CLASSES}`, 'Harness'], { stdio: ['pipe', 'pipe', 'pipe'] });
    proc.stderr.resume();
    return new KafkaHarness(proc);
  }

  run(c: HarnessCase): Promise<HarnessOutcome> {
    return new Promise((resolve) => {
      this.pending.set(c.id, resolve);
      this.proc.stdin.write(`${JSON.stringify(c)}\n`);
    });
  }

  runAll(cases: readonly HarnessCase[]): Promise<HarnessOutcome[]> {
    return Promise.all(cases.map((c) => this.run(c)));
  }

  close(): void {
    this.proc.stdin.end();
  }
}
