/**
 * Validation by construction: a query's operators (and so its serdes, compiled expressions and
 * declared stores) are built once against an inert context before anything is changed, so every
 * error an operator raises when built is raised before a topic, command or catalog entry exists.
 */
import { PlanError } from '../common/errors.js';
import type { QueryPlan, Step } from '../catalog/query-plan.js';
import { stepInputs } from '../catalog/query-plan.js';
import type { DataSource } from '../catalog/data-source.js';
import { keyColumns, valueColumns } from '../common/schema.js';
import type { FunctionRegistry } from '../functions/registry.js';
import type { OperatorFactories } from '../runtime/processor.js';
import { inertOperatorContext } from '../runtime/inert-context.js';
import { buildTopology } from '../runtime/processor.js';
import { createSerde } from '../serde/index.js';
import type { FormatName, SchemaRegistry } from '../serde/index.js';
import { ScratchSchemaRegistry } from './scratch-schema-registry.js';

export interface DryRunContext {
  readonly queryId: string;
  readonly registry: FunctionRegistry;
  readonly config: ReadonlyMap<string, string>;
  readonly schemaRegistry: SchemaRegistry;
}

/** Every step kind of the plan has an operator; a stored plan from a newer Sluice may not. */
export function checkStepKinds(plan: QueryPlan, factories: OperatorFactories): void {
  const visit = (step: Step): void => {
    if (!(step.kind in factories)) throw new PlanError(`Query ${plan.queryId}: this version of Sluice has no operator for plan step kind '${step.kind}' (step ${step.id})`);
    for (const input of stepInputs(step)) visit(input);
  };
  visit(plan.sink);
}

/** Builds the whole topology with nothing attached: throws what building the query for real would. */
export function dryRunBuild(plan: QueryPlan, factories: OperatorFactories, context: DryRunContext): void {
  checkStepKinds(plan, factories);
  const ctx = inertOperatorContext({ ...context, schemaRegistry: new ScratchSchemaRegistry(context.schemaRegistry) });
  buildTopology(plan.sink, factories, ctx);
}

/** The key and value serdes of a stream or table, built against the real registry's contents. */
export function dryRunSerdes(source: Pick<DataSource, 'schema' | 'topic' | 'keyFormat' | 'valueFormat'>, schemaRegistry: SchemaRegistry): void {
  const scratch = new ScratchSchemaRegistry(schemaRegistry);
  createSerde(source.keyFormat.format as FormatName, 'KEY', keyColumns(source.schema), { ...source.keyFormat, topic: source.topic, schemaRegistry: scratch });
  createSerde(source.valueFormat.format as FormatName, 'VALUE', valueColumns(source.schema), { ...source.valueFormat, topic: source.topic, schemaRegistry: scratch });
}
