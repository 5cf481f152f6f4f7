/**
 * A connector's transformation chain from its configuration, as Connect's ConnectorConfig builds it:
 * `transforms=a,b`, `transforms.a.type=<class or alias>`, `transforms.a.*` for the transform,
 * `transforms.a.predicate=p` and `transforms.a.negate`, `predicates=p`, `predicates.p.type`,
 * `predicates.p.*`. Records go through the stages in order; a stage returning null drops the record.
 */
import type { ConnectRecord, Predicate, PredicateFactory, Transformation, TransformationFactory } from '../api/index.js';
import { parseConfigValue } from '../api/index.js';
import { configError, configValueError } from './util/transform-support.js';

export interface TransformPluginLookup {
  transformation(name: string): TransformationFactory | undefined;
  predicate(name: string): PredicateFactory | undefined;
}

export interface TransformationStage {
  readonly alias: string;
  readonly transformation: Transformation;
  readonly predicate?: { readonly alias: string; readonly predicate: Predicate; readonly negate: boolean };
}

export interface TransformationChain {
  readonly stages: readonly TransformationStage[];
  apply<R extends ConnectRecord>(record: R): R | null;
  close(): void;
}

function aliases(config: Readonly<Record<string, string>>, name: string): string[] {
  const raw = config[name];
  const list = raw === undefined ? [] : (parseConfigValue(name, 'LIST', raw) as string[]);
  if (new Set(list).size < list.length) throw configValueError(name, list, 'Duplicate alias provided.');
  return list;
}

function withPrefix(config: Readonly<Record<string, string>>, prefix: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(config)) if (k.startsWith(prefix)) out[k.slice(prefix.length)] = v;
  return out;
}

export function buildTransformationChain(config: Readonly<Record<string, string>>, plugins: TransformPluginLookup): TransformationChain {
  const predicateAliases = new Set(aliases(config, 'predicates'));
  const stages: TransformationStage[] = [];
  const built: { close(): void }[] = [];
  try {
    for (const alias of aliases(config, 'transforms')) {
      const prefix = `transforms.${alias}.`;
      const type = config[`${prefix}type`];
      if (type === undefined) throw configValueError(`${prefix}type`, null, 'Not a Transformation');
      const factory = plugins.transformation(type.trim());
      if (!factory) throw configValueError(`${prefix}type`, type, `Class ${type} could not be found.`);
      const props = withPrefix(config, prefix);
      const predicateAlias = props['predicate'];
      const negateText = props['negate'];
      delete props['predicate'];
      delete props['negate'];
      if (negateText !== undefined && predicateAlias === undefined) {
        throw configError(`Config '${prefix}negate' was provided but there is no config '${prefix}predicate' defining a predicate to be negated.`);
      }
      const transformation = factory();
      built.push(transformation);
      transformation.configure(props);
      let predicate: TransformationStage['predicate'];
      if (predicateAlias !== undefined) {
        if (!predicateAliases.has(predicateAlias)) throw configValueError(`${prefix}predicate`, predicateAlias, `Predicate alias ${predicateAlias} is not listed in 'predicates'`);
        const ptype = config[`predicates.${predicateAlias}.type`];
        if (ptype === undefined) throw configValueError(`predicates.${predicateAlias}.type`, null, 'Not a Predicate');
        const pfactory = plugins.predicate(ptype.trim());
        if (!pfactory) throw configValueError(`predicates.${predicateAlias}.type`, ptype, `Class ${ptype} could not be found.`);
        const p = pfactory();
        built.push(p);
        p.configure(withPrefix(config, `predicates.${predicateAlias}.`));
        predicate = { alias: predicateAlias, predicate: p, negate: negateText !== undefined && negateText.trim().toLowerCase() === 'true' };
      }
      stages.push(predicate ? { alias, transformation, predicate } : { alias, transformation });
    }
  } catch (err) {
    for (const b of built) b.close();
    throw err;
  }
  return {
    stages,
    apply<R extends ConnectRecord>(record: R): R | null {
      let current: R | null = record;
      for (const stage of stages) {
        if (current === null) return null;
        // Connect's TransformationStage: negate ^ predicate.test(record)
        if (stage.predicate && stage.predicate.predicate.test(current) === stage.predicate.negate) continue;
        current = stage.transformation.apply(current);
      }
      return current;
    },
    close(): void {
      for (const b of built) b.close();
    },
  };
}
