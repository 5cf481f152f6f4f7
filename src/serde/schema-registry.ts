/**
 * A schema registry as the schema-registry formats (AVRO, PROTOBUF, JSON_SR) need it, modelled on
 * Confluent's: subjects (`<topic>-key`, `<topic>-value`) with versions, and globally numbered
 * schema ids carried in every record (magic byte 0, then the id as a big-endian int32).
 * Synchronous on purpose: serdes run per record; the engine persists and reloads its contents.
 */
export type RegisteredSchemaType = 'AVRO' | 'PROTOBUF' | 'JSON';

export interface RegisteredSchema {
  readonly id: number;
  readonly subject: string;
  readonly version: number;
  readonly type: RegisteredSchemaType;
  /** Avro JSON schema text, a .proto file's text, or a JSON Schema document */
  readonly schema: string;
}

export interface SchemaRegistry {
  /** registers (or finds the identical) schema under the subject; returns its id */
  register(subject: string, type: RegisteredSchemaType, schema: string): number;
  byId(id: number): RegisteredSchema | undefined;
  latest(subject: string): RegisteredSchema | undefined;
  subjects(): string[];
  /** every registration, in order, for persistence */
  all(): readonly RegisteredSchema[];
  /** registers with a chosen id (as a registry import or a test fixture does); fails if the id is taken by another schema */
  registerWithId(subject: string, type: RegisteredSchemaType, schema: string, id: number): number;
}

/** An in-process registry; ids start at 1 and never repeat. */
export class InMemorySchemaRegistry implements SchemaRegistry {
  private readonly schemas: RegisteredSchema[] = [];

  constructor(initial: readonly RegisteredSchema[] = []) {
    for (const s of initial) this.schemas.push(s);
  }

  register(subject: string, type: RegisteredSchemaType, schema: string): number {
    const same = this.schemas.find((s) => s.subject === subject && s.type === type && s.schema === schema);
    if (same) return same.id;
    // the same schema text under another subject keeps its id, as in Confluent's registry
    const existing = this.schemas.find((s) => s.type === type && s.schema === schema);
    const id = existing?.id ?? this.schemas.reduce((m, s) => Math.max(m, s.id), 0) + 1;
    const version = this.schemas.filter((s) => s.subject === subject).length + 1;
    this.schemas.push({ id, subject, version, type, schema });
    return id;
  }

  registerWithId(subject: string, type: RegisteredSchemaType, schema: string, id: number): number {
    const taken = this.schemas.find((s) => s.id === id);
    if (taken && (taken.schema !== schema || taken.type !== type)) throw new Error(`Schema id ${id} is already registered for another schema`);
    if (this.schemas.some((s) => s.subject === subject && s.id === id)) return id;
    const version = this.schemas.filter((s) => s.subject === subject).length + 1;
    this.schemas.push({ id, subject, version, type, schema });
    return id;
  }

  byId(id: number): RegisteredSchema | undefined {
    return this.schemas.find((s) => s.id === id);
  }

  latest(subject: string): RegisteredSchema | undefined {
    return this.schemas.filter((s) => s.subject === subject).at(-1);
  }

  subjects(): string[] {
    return [...new Set(this.schemas.map((s) => s.subject))];
  }

  all(): readonly RegisteredSchema[] {
    return this.schemas;
  }
}
