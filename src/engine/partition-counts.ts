/** How many partitions each source topic of a query has: a sink's partitioning follows its input's. */
import type { Catalog } from '../catalog/catalog.js';
import type { Log } from '../log/log.js';
import type { Query } from '../sql/ast.js';

/** partitions of each source topic (the sink's partitioning follows its input's) */
export async function partitionCounts(log: Log, catalog: Catalog, query: Query): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  const names: string[] = [];
  const walk = (r: Query['from']): void => {
    if (r.kind === 'SourceRelation') names.push(r.name);
    else {
      walk(r.left);
      walk(r.right);
    }
  };
  walk(query.from);
  for (const n of names) {
    const s = catalog.getSource(n);
    if (!s) continue;
    try {
      counts.set(s.topic, (await log.describeTopic(s.topic)).partitions.length);
    } catch {
      counts.set(s.topic, 1);
    }
  }
  return counts;
}
