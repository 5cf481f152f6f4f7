/**
 * Tab completion from the live catalog: keywords, stream/table names, their columns, function
 * names, property names (inside quotes) and variables (after `${`). Upper-case names are offered
 * in lower case when the word typed so far is lower case (unquoted identifiers ignore case).
 */
import { sqlKeywords } from '../index.js';
import type { Engine } from '../index.js';

export async function complete(engine: Partial<Pick<Engine, 'catalog' | 'registry' | 'execute'>>, line: string): Promise<[string[], string]> {
  // a server's session completes keywords only
  if (!engine.catalog || !engine.registry || !engine.execute) {
    const word = /[A-Za-z_][\w]*$/.exec(line)?.[0] ?? '';
    return word ? [matching(sqlKeywords(), word), word] : [[], ''];
  }
  return completeLocal(engine as Engine, line);
}

async function completeLocal(engine: Engine, line: string): Promise<[string[], string]> {
  const variable = /\$\{(\w*)$/.exec(line);
  if (variable) {
    const names = await tableColumn(engine, 'SHOW VARIABLES;', 0);
    return [matching(names, variable[1]!).map((n) => `\${${n}}`), variable[0]];
  }
  const quoted = /'([\w.-]*)$/.exec(line);
  if (quoted && (line.slice(0, quoted.index).match(/'/g)?.length ?? 0) % 2 === 0) {
    const props = await tableColumn(engine, 'SHOW PROPERTIES;', 0);
    return [matching(props, quoted[1]!).map((p) => `'${p}'`), quoted[0]];
  }
  const word = /[A-Za-z_][\w]*$/.exec(line)?.[0] ?? '';
  if (!word) return [[], ''];
  const sources = engine.catalog.listSources();
  const candidates = new Set<string>([
    ...sqlKeywords(),
    ...sources.map((s) => s.name),
    ...sources.flatMap((s) => s.schema.columns.map((c) => c.name)),
    ...engine.registry.list().map((f) => f.name),
  ]);
  return [matching([...candidates], word), word];
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
