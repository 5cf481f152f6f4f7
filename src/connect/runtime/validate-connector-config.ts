/**
 * Connect's PUT /connector-plugins/{type}/config/validate (AbstractHerder.validateConnectorConfig):
 * the framework's keys first (connector-config-def.ts, with the worker's converters as the values
 * of the converter keys), then a `type` key per transform and predicate alias, then the connector's
 * own keys; every error is on the key it concerns, with Connect's messages.
 */
import { ConfigDef, type ConfigKey, type ConfigValueResult } from '../api/config-def.js';
import { configKeyInfo, connectorBaseConfigDef } from '../connector-config-def.js';
import type { PluginRegistry } from '../plugins.js';
import { badRequest } from './connect-errors.js';
import { converterFor, headerConverterFor, transformChainFor } from './task-plugins.js';
import type { ConfigValueJson, ValidationResult } from './worker.js';

const SIMPLE_HEADER_CONVERTER = 'org.apache.kafka.connect.storage.SimpleHeaderConverter';

function valueJson(r: ConfigValueResult): ConfigValueJson {
  const v = r.value;
  return { name: r.name, value: v === null || v === undefined ? null : Array.isArray(v) ? v.join(',') : String(v), recommended_values: [...r.recommendedValues], errors: [...r.errors], visible: r.visible };
}

/** Connect's Java Map.toString, as its messages print a configuration */
const javaMap = (m: Readonly<Record<string, string>>): string => `{${Object.entries(m).map(([k, v]) => `${k}=${v}`).join(', ')}}`;

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));

const aliases = (v: string | undefined): string[] => (v ?? '').split(',').map((s) => s.trim()).filter(Boolean);

export function validateConnectorConfig(plugins: PluginRegistry, workerProps: Readonly<Record<string, string>>, props: Readonly<Record<string, string>>): ValidationResult {
  const className = props['connector.class'];
  if (!className) throw badRequest(`Connector config ${javaMap(props)} contains no connector type`);
  const entry = plugins.findConnector(className);
  if (!entry) {
    const available = plugins.list().map((p) => `PluginDesc{klass=class ${p.class}, name='${p.class}', version='${p.version}', type=${p.type}}`);
    throw badRequest(`Failed to find any class that implements Connector and which name matches ${className}, available connectors are: ${available.join(', ')}`);
  }
  const connector = entry.factory();
  const all = plugins.list(false);
  const classesOf = (type: string): string[] => all.filter((p) => p.type === type).map((p) => p.class);

  // the worker's converters are the defaults of the converter keys, and the versions of the
  // converters in use those of the version keys (Connect's enrichedConfigDef)
  const defaults: Record<string, unknown> = {};
  for (const key of ['key.converter', 'value.converter', 'header.converter']) {
    const fallback = key === 'header.converter' ? SIMPLE_HEADER_CONVERTER : undefined;
    if (workerProps[key] ?? fallback) defaults[key] = workerProps[key] ?? fallback;
    const className = props[key] ?? workerProps[key] ?? fallback;
    const found = className === undefined ? undefined : key === 'header.converter' ? plugins.findHeaderConverter(className) : plugins.findConverter(className);
    defaults[`${key}.plugin.version`] = found?.version ?? null;
  }
  const base = connectorBaseConfigDef(entry.type, entry.version, defaults);
  const results = new Map<string, ConfigValueResult>(base.validateAll(props).map((r) => [r.name, r]));
  const set = (name: string, change: Partial<ConfigValueResult>): void => {
    const r = results.get(name)!;
    results.set(name, { ...r, ...change });
  };
  const addError = (name: string, error: string): void => set(name, { errors: [...results.get(name)!.errors, error] });

  set('connector.plugin.version', { value: props['connector.plugin.version'] ?? entry.version, recommendedValues: [entry.version] });
  for (const which of ['key', 'value'] as const) {
    const key = `${which}.converter`;
    const given = props[key] ?? workerProps[key];
    set(key, { value: given ?? null, recommendedValues: classesOf('converter') });
    const found = given ? plugins.findConverter(given) : undefined;
    if (given && !found) {
      set(key, { value: null, errors: [`Invalid value ${given} for configuration ${key}: Class ${given} could not be found.`] });
      set(`${key}.plugin.version`, { value: null, visible: false });
    }
    else if (given) {
      try {
        converterFor(plugins, workerProps, props, which);
      } catch (e) {
        addError(key, message(e));
      }
    }
    if (found) set(`${key}.plugin.version`, { value: props[`${key}.plugin.version`] ?? found.version, recommendedValues: [found.version] });
  }
  {
    const given = props['header.converter'] ?? workerProps['header.converter'] ?? SIMPLE_HEADER_CONVERTER;
    set('header.converter', { value: given, recommendedValues: classesOf('header_converter') });
    const found = plugins.findHeaderConverter(given);
    const configured = props['header.converter'] ?? workerProps['header.converter'];
    // a registry without header converters falls back to UTF-8 strings (task-plugins.ts): only a configured class must exist
    if (!found && configured !== undefined) {
      set('header.converter', { value: null, errors: [`Invalid value ${given} for configuration header.converter: Class ${given} could not be found.`] });
      set('header.converter.plugin.version', { value: null, visible: false });
    } else if (found) {
      try {
        headerConverterFor(plugins, workerProps, props);
      } catch (e) {
        addError('header.converter', message(e));
      }
      set('header.converter.plugin.version', { value: props['header.converter.plugin.version'] ?? found.version, recommendedValues: [found.version] });
    }
  }
  if (entry.type === 'sink') {
    const hasTopics = !!props['topics']?.trim();
    const hasRegex = !!props['topics.regex']?.trim();
    const error = hasTopics && hasRegex ? 'topics and topics.regex are mutually exclusive options, but both are set.' : !hasTopics && !hasRegex ? 'Must configure one of topics or topics.regex' : undefined;
    if (error) for (const key of ['topics', 'topics.regex']) addError(key, error);
    const dlq = props['errors.deadletterqueue.topic.name']?.trim();
    if (dlq && aliases(props['topics']).includes(dlq)) addError('topics', `The DLQ topic '${dlq}' may not be included in the list of topics ('topics=[${aliases(props['topics']).join(', ')}]') consumed by the connector`);
  }

  const configs: ValidationResult['configs'] = [];
  const groups = new Set<string>();
  const add = (key: ConfigKey, r: ConfigValueResult): void => {
    if (key.group) groups.add(key.group);
    configs.push({ definition: configKeyInfo(key), value: valueJson(r) });
  };
  for (const key of base.configKeys().values()) add(key, results.get(key.name)!);

  // per alias, Connect's ConnectorConfig.enrich: its type and version, then (when the class is
  // known) its own keys under the alias's prefix, and for a transform `negate` and `predicate`
  let chainError: string | undefined;
  try {
    transformChainFor(plugins, props).close();
  } catch (e) {
    chainError = message(e);
  }
  for (const kind of ['transforms', 'predicates'] as const) {
    const noun = kind === 'transforms' ? 'transformation' : 'predicate';
    const title = kind === 'transforms' ? 'Transformation' : 'Predicate';
    const group = (alias: string) => `${kind === 'transforms' ? 'Transforms' : 'Predicates'}: ${alias}`;
    for (const alias of aliases(props[kind])) {
      const prefix = `${kind}.${alias}.`;
      const typeName = `${prefix}type`;
      const given = props[typeName];
      const found = given === undefined ? undefined : kind === 'transforms' ? plugins.findTransform(given) : plugins.findPredicate(given);
      const typeErrors = given === undefined ? [`Missing required configuration "${typeName}" which has no default value.`] : !found ? [`Invalid value ${given} for configuration ${typeName}: Class ${given} could not be found.`] : [];
      add(
        { name: typeName, type: 'CLASS', importance: 'HIGH', documentation: `Class for the '${alias}' ${noun}.`, group: group(alias), orderInGroup: 0, width: 'LONG', displayName: `${title} type for ${alias}` },
        { name: typeName, value: found ? given : null, recommendedValues: classesOf(noun), errors: typeErrors, visible: true },
      );
      const versionName = `${prefix}plugin.version`;
      add(
        { name: versionName, type: 'STRING', defaultValue: found?.version ?? null, importance: 'HIGH', documentation: `Version of the '${alias}' ${noun}.`, group: group(alias), orderInGroup: 1, width: 'LONG', displayName: `${title} version for ${alias}` },
        { name: versionName, value: props[versionName] ?? found?.version ?? null, recommendedValues: found ? [found.version] : [], errors: [], visible: true },
      );
      if (!found) continue;
      let order = 2;
      const own = new ConfigDef();
      for (const key of found.factory().config().configKeys().values()) own.define({ ...key, name: prefix + key.name, group: group(alias), orderInGroup: order++ });
      if (kind === 'transforms') {
        own.define({ name: `${prefix}negate`, type: 'BOOLEAN', defaultValue: false, importance: 'MEDIUM', documentation: 'Whether the configured predicate should be negated.', group: group(alias), orderInGroup: order++, width: 'NONE', displayName: 'negate' });
        own.define({ name: `${prefix}predicate`, type: 'STRING', defaultValue: null, importance: 'MEDIUM', documentation: 'The alias of a predicate used to determine whether to apply this transformation.', group: group(alias), orderInGroup: order++, width: 'NONE', displayName: 'predicate' });
      }
      for (const r of own.validateAll(props)) add({ ...own.configKeys().get(r.name)!, displayName: own.configKeys().get(r.name)!.displayName ?? r.name.slice(prefix.length) }, r);
    }
  }
  // what configuring the chain found that no key's definition did goes on `transforms`
  if (chainError && !configs.some((c) => /^(transforms|predicates)\./.test(c.value.name) && c.value.errors.length)) configs.find((c) => c.value.name === 'transforms')!.value.errors.push(chainError);

  // the connector's own keys (a key the framework defines too is the framework's)
  const def = connector.config();
  const extra = connector.validate?.(props) ?? [];
  for (const r of def.validateAll(props)) {
    if (base.configKeys().has(r.name)) continue;
    const more = extra.filter((e) => e.name === r.name).flatMap((e) => e.errors);
    add(def.configKeys().get(r.name)!, { ...r, errors: [...r.errors, ...more] });
  }
  for (const e of extra) {
    if (def.configKeys().has(e.name)) continue;
    const c = configs.find((x) => x.value.name === e.name);
    if (c) c.value.errors.push(...e.errors);
  }
  return { name: className, error_count: configs.reduce((n, c) => n + c.value.errors.length, 0), groups: [...groups], configs };
}
