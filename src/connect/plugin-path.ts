/**
 * Third-party plugins through the worker's `plugin.path` (comma-separated, as in Connect): each entry
 * is a JS module file (.js/.mjs), a package directory (its package.json `main`), or a directory whose
 * JS files and package directories are all loaded. A plugin module exports
 *
 *   export function registerConnectPlugins(registry: PluginRegistry): void | Promise<void>
 *
 * (or that function as its default export) and registers connectors, converters, transforms and
 * predicates under their class names. Java archives (.jar), which Connect's own plugin.path holds,
 * are skipped.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { PluginRegistry } from './plugins.js';
import { badRequest } from './runtime/connect-errors.js';

type Register = (registry: PluginRegistry) => void | Promise<void>;

function moduleFiles(entry: string): string[] {
  const path = resolve(entry);
  if (!existsSync(path)) return [];
  const st = statSync(path);
  if (st.isFile()) return ['.js', '.mjs'].includes(extname(path)) ? [path] : [];
  const pkg = join(path, 'package.json');
  if (existsSync(pkg)) {
    const main = (JSON.parse(readFileSync(pkg, 'utf8')) as { main?: string }).main ?? 'index.js';
    return [join(path, main)];
  }
  return readdirSync(path)
    .sort()
    .flatMap((name) => {
      const child = join(path, name);
      const s = statSync(child);
      if (s.isFile()) return ['.js', '.mjs'].includes(extname(name)) ? [child] : [];
      return s.isDirectory() && existsSync(join(child, 'package.json')) ? moduleFiles(child) : [];
    });
}

export async function loadPluginPath(registry: PluginRegistry, pluginPath: string | undefined): Promise<string[]> {
  const loaded: string[] = [];
  for (const entry of (pluginPath ?? '').split(',').map((s) => s.trim()).filter(Boolean)) {
    for (const file of moduleFiles(entry)) {
      const mod = (await import(pathToFileURL(file).href)) as { registerConnectPlugins?: Register; default?: Register | { registerConnectPlugins?: Register } };
      const register = mod.registerConnectPlugins ?? (typeof mod.default === 'function' ? mod.default : mod.default?.registerConnectPlugins);
      if (typeof register !== 'function') throw badRequest(`Plugin module ${file} (plugin.path) exports no registerConnectPlugins(registry) function`);
      await register(registry);
      loaded.push(file);
    }
  }
  return loaded;
}
