/** Removes `pos` from every node of a tree, for comparing ASTs regardless of where they came from. */
export function stripPositions<N>(node: N): N {
  if (Array.isArray(node)) return node.map((n) => stripPositions(n)) as N;
  if (node === null || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) {
    if (k === 'pos') continue;
    out[k] = stripPositions(v);
  }
  return out as N;
}
