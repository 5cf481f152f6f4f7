/**
 * The size of V8's young generation Sluice runs with. A streaming query allocates a few short-lived
 * objects per record (rows, records, strings, buffers); with Node's default semi-spaces (16 MiB) a
 * scavenge runs every few thousand records and copies whatever is still in flight, which cost the
 * Nexmark queries 15-30% of their CPU. 64 MiB semi-spaces (a young generation of up to 192 MiB)
 * make scavenges rarer and mostly empty: a memory-for-CPU trade, like a JVM's -Xmn, that the
 * `sluice` command makes through its `#!` line (`node --max-semi-space-size=64`) and task threads
 * make through their resource limits. An embedding program chooses for its own process
 * (`node --max-semi-space-size=N`); its task threads follow the flag when it is given.
 */

/** MiB of each of the young generation's two semi-spaces */
export const SEMI_SPACE_MIB = 64;

/** the node flag giving this process those semi-spaces */
export const SEMI_SPACE_FLAG = `--max-semi-space-size=${SEMI_SPACE_MIB}`;

/** V8's young generation for those semi-spaces: two semi-spaces and a new large-object space as big */
export const YOUNG_GENERATION_MIB = 3 * SEMI_SPACE_MIB;
