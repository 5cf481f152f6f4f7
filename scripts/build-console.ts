/**
 * Builds the web console (console/) into dist/console with esbuild: one bundled, minified
 * console.js, console.css and index.html. Run by `npm run build`, `prepare` and `npm test`, so the
 * package ships it and `sluice server` serves it at / with no further step.
 */
import { copyFile, mkdir } from 'node:fs/promises';
import { build } from 'esbuild';
import { repoRoot } from './repo-root.js';

const root = repoRoot();
const out = `${root}/dist/console`;
await mkdir(out, { recursive: true });
const result = await build({
  entryPoints: [`${root}/console/src/main.ts`],
  outfile: `${out}/console.js`,
  bundle: true,
  minify: true,
  sourcemap: true,
  format: 'esm',
  target: ['es2022', 'chrome110', 'firefox110', 'safari16'],
  metafile: true,
  logLevel: 'warning',
});
for (const f of ['index.html', 'console.css', 'favicon.svg']) await copyFile(`${root}/console/${f}`, `${out}/${f}`);
const bytes = Object.values(result.metafile.outputs).find((o) => o.entryPoint)?.bytes ?? 0;
process.stdout.write(`console built: dist/console/console.js ${(bytes / 1024).toFixed(0)} KiB\n`);
