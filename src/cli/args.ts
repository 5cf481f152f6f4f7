/** Minimal flag parsing for the sluice subcommands: --flag, --flag value, --flag=value. */
import { ConfigError } from '../index.js';

export interface ParsedArgs {
  readonly positional: string[];
  readonly flags: Map<string, string | true>;
  /** repeated `--set k=v` */
  readonly sets: Map<string, string>;
}

export function parseArgs(args: readonly string[], valued: readonly string[]): ParsedArgs {
  const positional: string[] = [];
  const flags = new Map<string, string | true>();
  const sets = new Map<string, string>();
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (!a.startsWith('--')) {
      positional.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    const name = eq > 0 ? a.slice(2, eq) : a.slice(2);
    let value: string | true = eq > 0 ? a.slice(eq + 1) : true;
    if (value === true && valued.includes(name)) {
      const next = args[++i];
      if (next === undefined) throw new ConfigError(`--${name} needs a value`);
      value = next;
    }
    if (name === 'set') {
      if (value === true || !value.includes('=')) throw new ConfigError(`--set needs name=value`);
      const [k, ...v] = value.split('=');
      sets.set(k!, v.join('='));
    } else flags.set(name, value);
  }
  return { positional, flags, sets };
}
