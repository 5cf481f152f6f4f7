/**
 * NONE format, and the "void" serde any format uses for a key with no columns: nothing is
 * written (a null payload) and whatever bytes arrive are ignored.
 */
import { describeColumns, SchemaNotSupported } from './serde-failure.js';
import type { RowSerde, SerdeFactory, SerdeSpec } from './serde-types.js';

const EMPTY: readonly unknown[] = Object.freeze([]);

/** Serializes to null; deserializes any non-null payload to an empty row (null stays null). */
export const VOID_SERDE: RowSerde = {
  serialize: () => null,
  deserialize: (bytes) => (bytes === null ? null : (EMPTY as unknown[]).slice()),
};

export const createNoneSerde: SerdeFactory = (spec: SerdeSpec): RowSerde => {
  if (spec.columns.length > 0) {
    throw new SchemaNotSupported(`The 'NONE' format can only be used when no columns are defined. Got: ${describeColumns(spec)}`);
  }
  return VOID_SERDE;
};
