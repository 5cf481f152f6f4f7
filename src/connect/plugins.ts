/**
 * The plugin registry: connectors, converters, transforms and predicates by class name (and alias),
 * as Connect finds them on its plugin path. The worker looks every class up here, so built-in and
 * third-party plugins are used the same way.
 *
 * The seam for the converters and SMTs (src/connect/converters/, src/connect/transforms/):
 * `createPluginRegistry()` below calls their `registerBuiltinConverters(registry)` /
 * `registerBuiltinTransforms(registry)`; each registers its classes with `registry.converter(...)`,
 * `registry.transform(...)` and `registry.predicate(...)` under Kafka's class names.
 */
import { ConfigDef } from './api/config-def.js';
import { configKeyInfo, connectorBaseConfigDef } from './connector-config-def.js';
import type { Connector, ConnectorType } from './api/connector.js';
import type { ConverterFactory, HeaderConverterFactory } from './api/converter.js';
import { registerBuiltinConverters } from './converters/index.js';
import { registerBuiltinTransforms } from './transforms/index.js';
import type { SchemaRegistry } from '../serde/schema-registry.js';
import type { PredicateFactory, TransformationFactory } from './api/transformation.js';
import { registerBuiltinConnectors } from './connectors/index.js';

export type ConnectorFactory = () => Connector;

export type PluginKind = 'source' | 'sink' | 'converter' | 'header_converter' | 'transformation' | 'predicate';

/** One entry of GET /connector-plugins */
export interface PluginInfo {
  readonly class: string;
  readonly type: PluginKind;
  readonly version: string;
}

interface Entry<F> {
  readonly className: string;
  readonly factory: F;
  readonly version: string;
}

/** Connect accepts a class's simple name and its name without `Connector` as aliases. */
function aliases(className: string): string[] {
  const simple = className.slice(className.lastIndexOf('.') + 1);
  const out = [className, simple];
  if (simple.endsWith('Connector') && simple.length > 'Connector'.length) out.push(simple.slice(0, -'Connector'.length));
  return out;
}

export class PluginRegistry {
  private readonly connectors = new Map<string, Entry<ConnectorFactory> & { type: ConnectorType }>();
  private readonly converters = new Map<string, Entry<ConverterFactory>>();
  private readonly transforms = new Map<string, Entry<TransformationFactory>>();
  private readonly predicates = new Map<string, Entry<PredicateFactory>>();
  private readonly headerConverters = new Map<string, Entry<HeaderConverterFactory>>();

  // the registrar the built-in converters and transforms register through (they name their aliases themselves)
  registerConverter(name: string, factory: ConverterFactory): void {
    this.converters.set(name, { className: name, factory, version: '4.0.0' });
  }
  registerHeaderConverter(name: string, factory: HeaderConverterFactory): void {
    this.headerConverters.set(name, { className: name, factory, version: '4.0.0' });
  }
  registerTransformation(name: string, factory: TransformationFactory): void {
    this.transforms.set(name, { className: name, factory, version: '4.0.0' });
  }
  registerPredicate(name: string, factory: PredicateFactory): void {
    this.predicates.set(name, { className: name, factory, version: '4.0.0' });
  }

  findHeaderConverter(name: string): Entry<HeaderConverterFactory> | undefined {
    return this.headerConverters.get(name.trim());
  }

  connector(className: string, factory: ConnectorFactory, version = '1.0.0'): this {
    const type = factory().type;
    for (const a of aliases(className)) this.connectors.set(a, { className, factory, version, type });
    return this;
  }

  converter(className: string, factory: ConverterFactory, version = '1.0.0'): this {
    for (const a of aliases(className)) this.converters.set(a, { className, factory, version });
    return this;
  }

  /** a transform registered as `Cast$Value` is found under its full and simple name */
  transform(className: string, factory: TransformationFactory, version = '1.0.0'): this {
    for (const a of aliases(className)) this.transforms.set(a, { className, factory, version });
    return this;
  }

  predicate(className: string, factory: PredicateFactory, version = '1.0.0'): this {
    for (const a of aliases(className)) this.predicates.set(a, { className, factory, version });
    return this;
  }

  findConnector(name: string): (Entry<ConnectorFactory> & { type: ConnectorType }) | undefined {
    return this.connectors.get(name.trim());
  }
  findConverter(name: string): Entry<ConverterFactory> | undefined {
    return this.converters.get(name.trim());
  }
  findTransform(name: string): Entry<TransformationFactory> | undefined {
    return this.transforms.get(name.trim());
  }
  findPredicate(name: string): Entry<PredicateFactory> | undefined {
    return this.predicates.get(name.trim());
  }

  /** every plugin once, under its class name (GET /connector-plugins?connectorsOnly=false) */
  list(connectorsOnly = true): PluginInfo[] {
    const out: PluginInfo[] = [];
    const seen = new Set<string>();
    const add = (className: string, type: PluginKind, version: string): void => {
      if (seen.has(`${type}:${className}`)) return;
      seen.add(`${type}:${className}`);
      out.push({ class: className, type, version });
    };
    for (const e of this.connectors.values()) add(e.className, e.type, e.version);
    if (!connectorsOnly) {
      // aliases are registered as entries of their own: list the fully qualified names
      const qualified = (n: string): boolean => n.includes('.');
      for (const e of this.converters.values()) if (qualified(e.className)) add(e.className, 'converter', e.version);
      for (const e of this.headerConverters.values()) if (qualified(e.className)) add(e.className, 'header_converter', e.version);
      for (const e of this.transforms.values()) if (qualified(e.className)) add(e.className, 'transformation', e.version);
      for (const e of this.predicates.values()) if (qualified(e.className)) add(e.className, 'predicate', e.version);
    }
    // Connect's order: sinks, sources, transformations, predicates, converters, header converters,
    // each by class name (Java's String order)
    const rank: Record<PluginKind, number> = { sink: 0, source: 1, transformation: 2, predicate: 3, converter: 4, header_converter: 5 };
    return out.sort((a, b) => rank[a.type] - rank[b.type] || (a.class < b.class ? -1 : a.class > b.class ? 1 : 0));
  }

  /** GET /connector-plugins/{name}/config: Connect's ConfigKeyInfo of each key, or undefined for an unknown plugin */
  pluginConfigInfo(name: string): Record<string, unknown>[] | undefined {
    const def = this.pluginConfig(name);
    return def && [...def.configKeys().values()].map(configKeyInfo);
  }

  /**
   * the ConfigDef of a plugin of any kind, for GET /connector-plugins/{name}/config: a connector's
   * own keys, then the framework's it does not define itself (as Connect's connectorPluginConfig)
   */
  pluginConfig(name: string): ConfigDef | undefined {
    const c = this.findConnector(name);
    if (c) {
      const def = new ConfigDef();
      const own = c.factory().config().configKeys();
      for (const key of own.values()) def.define(key);
      for (const key of connectorBaseConfigDef(c.type, c.version).configKeys().values()) if (!own.has(key.name)) def.define(key);
      return def;
    }
    const v = this.findConverter(name) ?? this.findHeaderConverter(name) ?? this.findTransform(name) ?? this.findPredicate(name);
    return v?.factory().config();
  }
}

/**
 * The registry every engine starts with: the built-in connectors, plus the built-in converters and
 * transforms once their modules are merged (the calls go here).
 */
export function createPluginRegistry(options: { readonly schemaRegistry?: SchemaRegistry } = {}): PluginRegistry {
  const registry = new PluginRegistry();
  registerBuiltinConnectors(registry);
  registerBuiltinConverters(registry, options);
  registerBuiltinTransforms(registry);
  return registry;
}
