/**
 * Connect's PUT /connector-plugins/{type}/config/validate (AbstractHerder.validateConnectorConfig):
 * the framework's keys first (connector-config-def.ts, with the worker's converters as the values
 * of the converter keys), then a `type` key per transform and predicate alias, then the connector's
 * own keys; every error is on the key it concerns, with Connect's messages.
 */
import type { ConfigKey, ConfigValueResult } from '../api/config-def.js';
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
    if (!found) {
      set('header.converter', { value: null, errors: [`Invalid value ${given} for configuration header.converter: Class ${given} could not be found.`] });
      set('header.converter.plugin.version', { value: null, visible: false });
    }
    else {
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
    if (dlq && aliases(props['topics']).includes(dlq)) addError('errors.deadletterqueue.topic.name', `The DLQ topic '${dlq}' may not be included in the list of topics ('topics=${props['topics']}') to be consumed.`);
  }

  const configs: ValidationResult['configs'] = [];
  const groups = new Set<string>();
  const add = (key: ConfigKey, r: ConfigValueResult): void => {
    if (key.group) groups.add(key.group);
    configs.push({ definition: configKeyInfo(key), value: valueJson(r) });
  };
  for (const key of base.configKeys().values()) add(key, results.get(key.name)!);

  // a `type` key per alias (Connect's ConnectorConfig.enrich), carrying what building the chain found wrong
  let chainError: string | undefined;
  try {
    transformChainFor(plugins, props).close();
  } catch (e) {
    chainError = message(e);
  }
  let chainErrorPlaced = false;
  for (const [kind, list, what] of [
    ['transforms', 'transformation', 'transformation'],
    ['predicates', 'predicate', 'predicate'],
  ] as const) {
    for (const alias of aliases(props[kind])) {
      const name = `${kind}.${alias}.type`;
      const key: ConfigKey = {
        name,
        type: 'CLASS',
        importance: 'HIGH',
        documentation: `Class for the '${alias}' ${what}.`,
        group: `${kind === 'transforms' ? 'Transforms' : 'Predicates'}: ${alias}`,
        orderInGroup: 0,
        width: 'LONG',
        displayName: `${kind === 'transforms' ? 'Transformation' : 'Predicate'} type for ${alias}`,
      };
      const given = props[name];
      const errors: string[] = [];
      let value: string | null = given ?? null;
      if (given === undefined) errors.push(`Missing required configuration "${name}" which has no default value.`);
      else if (!(kind === 'transforms' ? plugins.findTransform(given) : plugins.findPredicate(given))) {
        errors.push(`Invalid value ${given} for configuration ${name}: Class ${given} could not be found.`);
        value = null;
      } else if (chainError?.includes(`${kind}.${alias}.`)) {
        errors.push(chainError);
        chainErrorPlaced = true;
      }
      add(key, { name, value, recommendedValues: classesOf(list), errors, visible: true });
    }
  }
  // an error building the chain that names no alias's type (a transform's own configuration) goes on `transforms`
  const aliasErrors = configs.some((c) => /^(transforms|predicates)\./.test(c.value.name) && c.value.errors.length);
  if (chainError && !chainErrorPlaced && !aliasErrors) configs.find((c) => c.value.name === 'transforms')!.value.errors.push(chainError);

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
