/**
 * Tab completion: keywords, stream/table names, their columns, function names, property names
 * (inside quotes) and variables (after `${`). Names come from the live catalog when the engine is
 * embedded, and from the server (SHOW/DESCRIBE through /ksql, see RemoteEngine.completionNames)
 * in remote mode. Upper-case names are offered in lower case when the word typed so far is lower
 * case (unquoted identifiers ignore case).
 */
import { sqlKeywords } from '../index.js';
import type { Engine } from '../index.js';

/** Everything completion offers besides keywords. */
export interface CompletionNames {
  readonly sources: readonly string[];
  readonly columns: readonly string[];
  readonly functions: readonly string[];
  readonly properties: readonly string[];
  readonly variables: readonly string[];
}

/** An engine that knows its names itself: the remote one asks its server. */
export interface NamesProvider {
  completionNames(): Promise<CompletionNames>;
}

type Completable = Partial<Pick<Engine, 'catalog' | 'registry' | 'execute'>> | NamesProvider;

export async function complete(engine: Completable, line: string): Promise<[string[], string]> {
  if ('completionNames' in engine && typeof engine.completionNames === 'function') return completeFrom(() => engine.completionNames(), line);
  const local = engine as Partial<Pick<Engine, 'catalog' | 'registry' | 'execute'>>;
  if (!local.catalog || !local.registry || !local.execute) return completeFrom(async () => NO_NAMES, line);
  return completeFrom(() => localNames(local as Engine, line), line);
}

const NO_NAMES: CompletionNames = { sources: [], columns: [], functions: [], properties: [], variables: [] };

async function completeFrom(names: () => Promise<CompletionNames>, line: string): Promise<[string[], string]> {
  const variable = /\$\{(\w*)$/.exec(line);
  if (variable) return [matching((await names()).variables, variable[1]!).map((n) => `\${${n}}`), variable[0]];
  const quoted = /'([\w.-]*)$/.exec(line);
  if (quoted && (line.slice(0, quoted.index).match(/'/g)?.length ?? 0) % 2 === 0) return [matching((await names()).properties, quoted[1]!).map((p) => `'${p}'`), quoted[0]];
  const word = /[A-Za-z_][\w]*$/.exec(line)?.[0] ?? '';
  if (!word) return [[], ''];
  const n = await names();
  return [matching([...sqlKeywords(), ...n.sources, ...n.columns, ...n.functions], word), word];
}

/** The embedded engine's names; variables and properties only when the line needs them. */
async function localNames(engine: Engine, line: string): Promise<CompletionNames> {
  const sources = engine.catalog.listSources();
  return {
    sources: sources.map((s) => s.name),
    columns: sources.flatMap((s) => s.schema.columns.map((c) => c.name)),
    functions: engine.registry.list().map((f) => f.name),
    properties: /'[\w.-]*$/.test(line) ? await tableColumn(engine, 'SHOW PROPERTIES;', 0) : [],
    variables: /\$\{\w*$/.test(line) ? await tableColumn(engine, 'SHOW VARIABLES;', 0) : [],
  };
}

function matching(candidates: readonly string[], prefix: string): string[] {
  const lower = prefix !== '' && prefix === prefix.toLowerCase();
  const upper = prefix.toUpperCase();
  return [
    ...new Set(
      candidates
        .filter((c) => c.toUpperCase().startsWith(upper))
        .map((c) => (lower && c === c.toUpperCase() ? c.toLowerCase() : c)),
    ),
  ].sort();
}

async function tableColumn(engine: Engine, sql: string, column: number): Promise<string[]> {
  const [result] = await engine.execute(sql);
  return result?.table?.rows.map((r) => r[column]!) ?? [];
}
