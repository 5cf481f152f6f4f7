/**
 * Connect's plugin aliases (PluginUtils.computeAliases): a plugin may be named by its simple class
 * name, or by that name without its type suffix ("Converter", "Transformation", "Predicate"), as
 * long as no other plugin has the same alias. Nested classes such as Cast$Value have the simple
 * name "Value", which many share, so those are only reachable by their full class name.
 */
export function pluginAliases(classNames: readonly string[], suffix: string, taken: ReadonlySet<string> = new Set()): Map<string, string> {
  const candidates = new Map<string, Set<string>>();
  for (const className of classNames) {
    const simple = className.slice(className.lastIndexOf('.') + 1).split('$').pop()!;
    const pos = simple.lastIndexOf(suffix);
    const pruned = pos > 0 ? simple.slice(0, pos) : simple;
    for (const alias of [simple, pruned]) {
      if (!candidates.has(alias)) candidates.set(alias, new Set());
      candidates.get(alias)!.add(className);
    }
  }
  const out = new Map<string, string>();
  for (const [alias, owners] of candidates) if (owners.size === 1 && !taken.has(alias)) out.set(alias, [...owners][0]!);
  return out;
}
