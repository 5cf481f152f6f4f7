/** The compact form of Kafka's message definitions that messages.generated.ts holds. */

/** inclusive version range; [1, 0] is "none" */
export type VersionRange = readonly [number, number];

export interface FieldSchema {
  /** camelCase field name */
  readonly n: string;
  /** primitive type, '[]<primitive>', '[]' (array of struct f) or 'struct' */
  readonly t: string;
  readonly v: VersionRange;
  readonly nv?: VersionRange;
  readonly tv?: VersionRange;
  readonly tag?: number;
  readonly d?: string;
  readonly f?: readonly FieldSchema[];
}

export interface MessageSchema {
  readonly name: string;
  readonly apiKey: number;
  readonly valid: VersionRange;
  /** first flexible version of the request (0x7fff: never) */
  readonly flexible: number;
  readonly responseFlexible: number;
  readonly request: readonly FieldSchema[];
  readonly response: readonly FieldSchema[];
}

export function inRange(r: VersionRange | undefined, v: number): boolean {
  return r !== undefined && v >= r[0] && v <= r[1];
}
