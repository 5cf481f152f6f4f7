/**
 * Every single message transform and predicate Kafka ships, under Kafka's class names (and the
 * aliases Connect accepts, see util/plugin-aliases.ts), plus predicated() for the worker's
 * `transforms.<alias>.predicate` / `negate`.
 *
 * The worker wires these in with registerBuiltinTransforms(registry).
 */
import type { PredicateFactory, TransformationFactory } from '../api/index.js';
import type { ConverterRegistrar } from '../converters/index.js';
import { Cast } from './cast.js';
import { DropHeaders } from './drop-headers.js';
import { ExtractField } from './extract-field.js';
import { Filter } from './filter.js';
import { Flatten } from './flatten.js';
import { HeaderFrom } from './header-from.js';
import { HoistField } from './hoist-field.js';
import { InsertField } from './insert-field.js';
import { InsertHeader } from './insert-header.js';
import { MaskField } from './mask-field.js';
import { RegexRouter } from './regex-router.js';
import { ReplaceField } from './replace-field.js';
import { SetSchemaMetadata } from './set-schema-metadata.js';
import { TimestampConverter } from './timestamp-converter.js';
import { TimestampRouter } from './timestamp-router.js';
import { ValueToKey } from './value-to-key.js';
import { ExtractNewRecordState } from './extract-new-record-state.js';
import { HasHeaderKey, RecordIsTombstone, TopicNameMatches } from './predicates.js';
import { pluginAliases } from './util/plugin-aliases.js';
import type { Side } from './util/transform-support.js';

export { predicated, HasHeaderKey, RecordIsTombstone, TopicNameMatches } from './predicates.js';
export { pluginAliases } from './util/plugin-aliases.js';
export { buildTransformationChain, type TransformationChain, type TransformationStage, type TransformPluginLookup } from './transformation-chain.js';

/** what the worker's plugin registry offers; registerConverter is in converters/index.ts */
export interface ConnectPluginRegistrar extends ConverterRegistrar {
  registerTransformation(name: string, factory: TransformationFactory): void;
  registerPredicate(name: string, factory: PredicateFactory): void;
}

const PKG = 'org.apache.kafka.connect.transforms';

function keyValue(name: string, make: (side: Side) => ReturnType<TransformationFactory>): Record<string, TransformationFactory> {
  return { [`${PKG}.${name}$Key`]: () => make('key'), [`${PKG}.${name}$Value`]: () => make('value') };
}

export const BUILTIN_TRANSFORMS: Readonly<Record<string, TransformationFactory>> = {
  ...keyValue('Cast', (s) => new Cast(s)),
  [`${PKG}.DropHeaders`]: () => new DropHeaders(),
  ...keyValue('ExtractField', (s) => new ExtractField(s)),
  [`${PKG}.Filter`]: () => new Filter(),
  ...keyValue('Flatten', (s) => new Flatten(s)),
  ...keyValue('HeaderFrom', (s) => new HeaderFrom(s)),
  ...keyValue('HoistField', (s) => new HoistField(s)),
  ...keyValue('InsertField', (s) => new InsertField(s)),
  [`${PKG}.InsertHeader`]: () => new InsertHeader(),
  ...keyValue('MaskField', (s) => new MaskField(s)),
  [`${PKG}.RegexRouter`]: () => new RegexRouter(),
  ...keyValue('ReplaceField', (s) => new ReplaceField(s)),
  ...keyValue('SetSchemaMetadata', (s) => new SetSchemaMetadata(s)),
  ...keyValue('TimestampConverter', (s) => new TimestampConverter(s)),
  [`${PKG}.TimestampRouter`]: () => new TimestampRouter(),
  [`${PKG}.ValueToKey`]: () => new ValueToKey(),
  // Debezium's, for reading its change events as rows
  'io.debezium.transforms.ExtractNewRecordState': () => new ExtractNewRecordState(),
};

export const BUILTIN_PREDICATES: Readonly<Record<string, PredicateFactory>> = {
  [`${PKG}.predicates.HasHeaderKey`]: () => new HasHeaderKey(),
  [`${PKG}.predicates.RecordIsTombstone`]: () => new RecordIsTombstone(),
  [`${PKG}.predicates.TopicNameMatches`]: () => new TopicNameMatches(),
};

/** registers every built-in transform and predicate under its class name and its unambiguous aliases */
export function registerBuiltinTransforms(registry: Pick<ConnectPluginRegistrar, 'registerTransformation' | 'registerPredicate'>): void {
  for (const [name, factory] of Object.entries(BUILTIN_TRANSFORMS)) registry.registerTransformation(name, factory);
  for (const [alias, className] of pluginAliases(Object.keys(BUILTIN_TRANSFORMS), 'Transformation')) registry.registerTransformation(alias, BUILTIN_TRANSFORMS[className]!);
  for (const [name, factory] of Object.entries(BUILTIN_PREDICATES)) registry.registerPredicate(name, factory);
  for (const [alias, className] of pluginAliases(Object.keys(BUILTIN_PREDICATES), 'Predicate')) registry.registerPredicate(alias, BUILTIN_PREDICATES[className]!);
}

/** a lookup over the built-in transforms and predicates (class names and aliases), for buildTransformationChain */
export function builtinTransformLookup(): { transformation(name: string): TransformationFactory | undefined; predicate(name: string): PredicateFactory | undefined } {
  const transforms = new Map<string, TransformationFactory>();
  const predicates = new Map<string, PredicateFactory>();
  registerBuiltinTransforms({ registerTransformation: (n, f) => transforms.set(n, f), registerPredicate: (n, f) => predicates.set(n, f) });
  return { transformation: (n) => transforms.get(n), predicate: (n) => predicates.get(n) };
}
