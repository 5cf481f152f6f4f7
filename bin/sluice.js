#!/usr/bin/env -S node --max-semi-space-size=64
// the flag: a young generation sized for streaming (src/runtime/young-generation.ts)
import('../dist/src/cli/main.js').then((m) => m.main(process.argv.slice(2))).then(
  (code) => { if (typeof code === 'number') process.exitCode = code; },
  (err) => { console.error(err && err.stack ? err.stack : String(err)); process.exitCode = 2; },
);
