/**
 * Serves the web console's built front end (dist/console: index.html, console.js, console.css,
 * built from console/ by scripts/build-console.ts at `prepare`/`build` time and shipped in the
 * package) at `/` and /console/*. The assets hold no data, so they are served without credentials:
 * the page asks for them and sends them with every API request, where the server checks them.
 */
import { readFile } from 'node:fs/promises';
import type { FastifyInstance } from 'fastify';

const ASSETS_DIR = new URL('../../console/', import.meta.url);

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.map': 'application/json',
};

/** the assets: fixed names, so no path from a request ever reaches the file system */
const FILES = ['index.html', 'console.js', 'console.css', 'console.js.map', 'favicon.svg'];

/** Whether a request is for a console asset (served without authentication). */
export function isConsoleAsset(method: string, url: string): boolean {
  if (method !== 'GET' && method !== 'HEAD') return false;
  const path = url.split('?')[0]!;
  return path === '/' || path === '/favicon.ico' || (path.startsWith('/console/') && FILES.includes(path.slice('/console/'.length)));
}

export function registerConsoleAssets(app: FastifyInstance): void {
  const cache = new Map<string, Buffer>();
  const serve = async (name: string): Promise<Buffer | undefined> => {
    let body = cache.get(name);
    if (!body) {
      try {
        body = await readFile(new URL(name, ASSETS_DIR));
      } catch {
        return undefined;
      }
      cache.set(name, body);
    }
    return body;
  };
  app.get('/', async (_req, reply) => {
    const body = await serve('index.html');
    if (!body) return reply.code(404).type('text/plain').send('The web console is not built: run `npm run build` (it builds dist/console).\n');
    return reply.type(TYPES['.html']!).header('cache-control', 'no-cache').send(body);
  });
  app.get('/favicon.ico', async (_req, reply) => {
    const body = await serve('favicon.svg');
    if (!body) return reply.code(404).send('');
    return reply.type(TYPES['.svg']!).send(body);
  });
  for (const name of FILES) {
    app.get(`/console/${name}`, async (_req, reply) => {
      const body = await serve(name);
      if (!body) return reply.code(404).type('text/plain').send('not built\n');
      return reply.type(TYPES[name.slice(name.lastIndexOf('.'))] ?? 'application/octet-stream').header('cache-control', 'no-cache').send(body);
    });
  }
}
