/**
 * A task's converters and transform chain, instantiated from its connector's configuration over the
 * worker's: `key.converter`/`value.converter`/`header.converter` with their prefixed properties, and
 * `transforms=a,b` with `transforms.a.type=...`, `transforms.a.predicate=p`, `transforms.a.negate`,
 * `predicates=p` with `predicates.p.type=...`.
 */
import type { ConnectRecord } from '../api/connect-record.js';
import type { Connector } from '../api/connector.js';
import type { ConfigDef } from '../api/config-def.js';
import { ConfigDef as ConfigDefClass } from '../api/config-def.js';
import type { Converter, SchemaAndValue } from '../api/converter.js';
import type { Predicate, Transformation } from '../api/transformation.js';
import { Schemas, type Schema } from '../api/schema.js';
import type { PluginRegistry } from '../plugins.js';
import { badRequest } from './connect-errors.js';

/** props under `prefix`, with the prefix removed */
export function withPrefix(props: Readonly<Record<string, string>>, prefix: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(props)) if (k.startsWith(prefix)) out[k.slice(prefix.length)] = v;
  return out;
}

/** Connect's HeaderConverter, with Java's signatures (a registered converter that has both methods is one) */
export interface HeaderConverter {
  toConnectHeader(topic: string, headerKey: string, value: Buffer | null): SchemaAndValue;
  fromConnectHeader(topic: string, headerKey: string, schema: Schema | null, value: unknown): Buffer | null;
}

/** Connect's Worker.connectorTaskConfigs: each task's configuration names its class (Connector.taskClass) */
export function withTaskClass(connector: Connector, configs: Record<string, string>[]): Record<string, string>[] {
  return connector.taskClass === undefined ? configs : configs.map((t) => ({ ...t, 'task.class': connector.taskClass! }));
}

/**
 * The worker's fallback for `header.converter` when no such class is registered: header bytes as
 * UTF-8 strings both ways (what SimpleHeaderConverter does for string headers).
 */
export const utf8HeaderConverter: HeaderConverter = {
  toConnectHeader: (_t, _key, value) => ({ schema: value === null ? null : Schemas.primitive('STRING', true), value: value === null ? null : value.toString('utf8') }),
  fromConnectHeader: (_t, _key, _schema, v) => {
    if (v === null || v === undefined) return null;
    if (Buffer.isBuffer(v)) return v;
    return Buffer.from(typeof v === 'string' ? v : JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? Number(x) : x)));
  },
};

export function converterFor(registry: PluginRegistry, worker: Readonly<Record<string, string>>, connector: Readonly<Record<string, string>>, which: 'key' | 'value'): Converter {
  const prefix = `${which}.converter`;
  const fromConnector = connector[prefix] !== undefined;
  const className = (connector[prefix] ?? worker[prefix])!;
  const entry = registry.findConverter(className);
  if (!entry) throw badRequest(`Failed to find any class that implements Converter and which name matches ${className}`);
  const converter = entry.factory();
  converter.configure(withPrefix(fromConnector ? connector : worker, `${prefix}.`), which === 'key');
  return converter;
}

export function headerConverterFor(registry: PluginRegistry, worker: Readonly<Record<string, string>>, connector: Readonly<Record<string, string>>): HeaderConverter {
  const className = connector['header.converter'] ?? worker['header.converter'];
  const entry = className ? registry.findHeaderConverter(className) : undefined;
  if (!entry) return utf8HeaderConverter;
  const c = entry.factory();
  c.configure(withPrefix(connector['header.converter'] ? connector : worker, 'header.converter.'));
  return c;
}

interface Step {
  readonly alias: string;
  readonly transform: Transformation;
  readonly predicate?: Predicate;
  readonly negate: boolean;
}

/** Connect's TransformationChain: each step in order; a null result drops the record */
export class TransformChain {
  constructor(
    private readonly steps: readonly Step[],
    private readonly predicates: readonly Predicate[],
  ) {}

  get length(): number {
    return this.steps.length;
  }

  apply<R extends ConnectRecord>(record: R): R | null {
    let cur: R | null = record;
    for (const s of this.steps) {
      if (cur === null) return null;
      if (s.predicate && s.predicate.test(cur) === s.negate) continue;
      cur = s.transform.apply(cur);
    }
    return cur;
  }

  close(): void {
    for (const s of this.steps) s.transform.close();
    for (const p of this.predicates) p.close();
  }
}

const list = (v: string | undefined): string[] => (v ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');

export function transformChainFor(registry: PluginRegistry, props: Readonly<Record<string, string>>): TransformChain {
  const predicates = new Map<string, Predicate>();
  for (const alias of list(props['predicates'])) {
    const type = props[`predicates.${alias}.type`];
    if (!type) throw badRequest(`Missing required configuration "predicates.${alias}.type" which has no default value.`);
    const entry = registry.findPredicate(type);
    if (!entry) throw badRequest(`Invalid value ${type} for configuration predicates.${alias}.type: Class ${type} could not be found.`);
    const p = entry.factory();
    const own = withPrefix(props, `predicates.${alias}.`);
    delete own['type'];
    p.configure(own);
    predicates.set(alias, p);
  }
  const steps: Step[] = [];
  for (const alias of list(props['transforms'])) {
    const type = props[`transforms.${alias}.type`];
    if (!type) throw badRequest(`Missing required configuration "transforms.${alias}.type" which has no default value.`);
    const entry = registry.findTransform(type);
    if (!entry) throw badRequest(`Invalid value ${type} for configuration transforms.${alias}.type: Class ${type} could not be found.`);
    const own = withPrefix(props, `transforms.${alias}.`);
    const predicateName = own['predicate'];
    const negate = own['negate']?.trim().toLowerCase() === 'true';
    for (const k of ['type', 'predicate', 'negate']) delete own[k];
    let predicate: Predicate | undefined;
    if (predicateName) {
      predicate = predicates.get(predicateName);
      if (!predicate) throw badRequest(`Invalid value ${predicateName} for configuration transforms.${alias}.predicate: Predicate ${predicateName} is not defined in predicates.`);
    }
    const t = entry.factory();
    t.configure(own);
    steps.push({ alias, transform: t, ...(predicate ? { predicate } : {}), negate });
  }
  return new TransformChain(steps, [...predicates.values()]);
}

/** an empty ConfigDef, for plugins that declare none */
export const emptyConfigDef = (): ConfigDef => new ConfigDefClass();
