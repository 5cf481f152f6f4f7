/**
 * A copy of a schema registry that statements validate and serialize against: registrations
 * land in the copy, and reach the real registry only through commit(), once the statement has
 * succeeded, so a failing statement leaves no registration behind.
 */
import { InMemorySchemaRegistry } from '../serde/index.js';
import type { RegisteredSchema, SchemaRegistry } from '../serde/index.js';

export class ScratchSchemaRegistry extends InMemorySchemaRegistry {
  private readonly baseCount: number;

  constructor(private readonly base: SchemaRegistry) {
    super(base.all());
    this.baseCount = base.all().length;
  }

  /** registrations made here and not in the real registry */
  additions(): readonly RegisteredSchema[] {
    return this.all().slice(this.baseCount);
  }

  /** copies the additions, ids unchanged, into the real registry */
  commit(): void {
    for (const s of this.additions()) this.base.registerWithId(s.subject, s.type, s.schema, s.id);
  }
}
