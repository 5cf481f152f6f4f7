/**
 * Parser throughput over the conformance statements (statements per second), plus the printer.
 * Not part of the test suite. Run: node dist/bench/parser-bench.js [seconds]
 */
import { parseStatements } from '../src/sql/parse.js';
import { formatStatement } from '../src/sql/printer.js';
import { conformanceDir, loadCorpus } from '../test/sql/conformance-corpus.js';

const corpus = loadCorpus();
if (!corpus) {
  console.error(`conformance cases not found at ${conformanceDir()}`);
  process.exit(1);
}
const texts = [...new Set(corpus.map((c) => c.sql))];
const seconds = Number(process.argv[2] ?? 3);

const t0 = performance.now();
parseStatements('SELECT 1 FROM s;'); // first use builds the parser
console.log(`parser construction: ${(performance.now() - t0).toFixed(0)} ms`);

function measure(label: string, body: () => number): void {
  body(); // warm-up
  let statements = 0;
  let rounds = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < seconds * 1000) {
    statements += body();
    rounds++;
    elapsed = performance.now() - start;
  }
  console.log(`${label}: ${Math.round((statements / elapsed) * 1000)} statements/s (${rounds} rounds of ${texts.length} texts, ${(elapsed / 1000).toFixed(1)} s)`);
}

measure('parse', () => {
  let n = 0;
  for (const t of texts) n += parseStatements(t).length;
  return n;
});

const parsed = texts.flatMap((t) => parseStatements(t).map((p) => p.statement));
measure('format', () => {
  for (const s of parsed) formatStatement(s);
  return parsed.length;
});
