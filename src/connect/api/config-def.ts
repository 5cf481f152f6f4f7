/**
 * Connect's ConfigDef: the declared configuration of a connector, transform, predicate or converter.
 * It parses string properties into typed values, applies defaults, runs validators, and produces
 * the per-key results that `PUT /connector-plugins/{type}/config/validate` returns.
 */

export type ConfigType = 'BOOLEAN' | 'STRING' | 'INT' | 'SHORT' | 'LONG' | 'DOUBLE' | 'LIST' | 'CLASS' | 'PASSWORD';
export type Importance = 'HIGH' | 'MEDIUM' | 'LOW';
export type ConfigWidth = 'NONE' | 'SHORT' | 'MEDIUM' | 'LONG';

/** throws ConfigError with Connect's message when the (parsed) value is not acceptable */
export type ConfigValidator = (name: string, value: unknown) => void;

export interface ConfigKey {
  readonly name: string;
  readonly type: ConfigType;
  /** undefined: required (Connect's NO_DEFAULT_VALUE) */
  readonly defaultValue?: unknown;
  readonly validator?: ConfigValidator;
  readonly importance: Importance;
  readonly documentation: string;
  readonly group?: string;
  readonly orderInGroup?: number;
  readonly width?: ConfigWidth;
  readonly displayName?: string;
  readonly dependents?: readonly string[];
}

/** Connect's ConfigException: a configuration value is missing or invalid. */
export class ConnectConfigError extends Error {
  override readonly name = 'ConnectConfigError';
  constructor(
    readonly configName: string,
    readonly configValue: unknown,
    readonly reason: string,
  ) {
    super(`Invalid value ${configValue === undefined ? 'null' : String(configValue)} for configuration ${configName}: ${reason}`);
  }
}

/** One key's outcome for the validate endpoint (Connect's ConfigValue). */
export interface ConfigValueResult {
  readonly name: string;
  readonly value: unknown;
  readonly recommendedValues: readonly unknown[];
  readonly errors: readonly string[];
  readonly visible: boolean;
}

export class ConfigDef {
  private readonly keys = new Map<string, ConfigKey>();

  define(key: ConfigKey): this {
    if (this.keys.has(key.name)) throw new Error(`Configuration ${key.name} is defined twice.`);
    this.keys.set(key.name, key);
    return this;
  }

  configKeys(): ReadonlyMap<string, ConfigKey> {
    return this.keys;
  }

  /** typed values with defaults applied; throws ConnectConfigError on the first problem */
  parse(props: Readonly<Record<string, string>>): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const key of this.keys.values()) {
      const raw = props[key.name];
      if (raw === undefined && key.defaultValue === undefined) throw new ConnectConfigError(key.name, undefined, `Missing required configuration "${key.name}" which has no default value.`);
      const value = raw === undefined ? key.defaultValue : parseConfigValue(key.name, key.type, raw);
      key.validator?.(key.name, value);
      out[key.name] = value;
    }
    return out;
  }

  /** every key's result, collecting all problems instead of stopping at the first */
  validateAll(props: Readonly<Record<string, string>>): ConfigValueResult[] {
    return [...this.keys.values()].map((key) => {
      const raw = props[key.name];
      const errors: string[] = [];
      let value: unknown = raw ?? key.defaultValue ?? null;
      // as Connect's ConfigValue: a value that does not parse is shown as null
      let parsed = true;
      try {
        if (raw === undefined && key.defaultValue === undefined) errors.push(`Missing required configuration "${key.name}" which has no default value.`);
        else {
          parsed = false;
          value = raw === undefined ? key.defaultValue : parseConfigValue(key.name, key.type, raw);
          parsed = true;
          key.validator?.(key.name, value);
        }
      } catch (err) {
        errors.push(err instanceof Error ? err.message : String(err));
      }
      const shown = !parsed ? null : (raw ?? (key.defaultValue === undefined || key.defaultValue === null ? null : String(key.defaultValue)));
      return { name: key.name, value: shown, recommendedValues: [], errors, visible: true };
    });
  }
}

/** Connect's ConfigDef.parseType for string inputs */
export function parseConfigValue(name: string, type: ConfigType, raw: string): unknown {
  const trimmed = raw.trim();
  switch (type) {
    case 'BOOLEAN':
      if (/^(true|false)$/i.test(trimmed)) return trimmed.toLowerCase() === 'true';
      throw new ConnectConfigError(name, raw, 'Expected value to be either true or false');
    case 'STRING':
    case 'CLASS':
    case 'PASSWORD':
      return type === 'STRING' || type === 'PASSWORD' ? raw : trimmed;
    case 'INT':
    case 'SHORT':
    case 'LONG': {
      if (!/^[+-]?\d+$/.test(trimmed)) throw new ConnectConfigError(name, raw, `Not a number of type ${type}`);
      return type === 'LONG' ? Number(BigInt(trimmed)) : Number(trimmed);
    }
    case 'DOUBLE': {
      const n = Number(trimmed);
      if (trimmed === '' || Number.isNaN(n)) throw new ConnectConfigError(name, raw, 'Not a number of type DOUBLE');
      return n;
    }
    case 'LIST':
      return trimmed === '' ? [] : trimmed.split(/\s*,\s*/);
  }
}
