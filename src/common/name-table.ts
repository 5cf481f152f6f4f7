/** The table of names (topics) that the packed messages between threads begin with. */
/**
 * Writes a table of names at `at` (a count, then each name's length and bytes), as the packed
 * messages between threads begin; returns where the table ends.
 */
export function writeNameTable(buf: Buffer, names: readonly Buffer[], at: number): number {
  buf.writeUInt32LE(names.length, at);
  at += 4;
  for (const name of names) {
    buf.writeInt32LE(name.length, at);
    buf.set(name, at + 4);
    at += 4 + name.length;
  }
  return at;
}
