/**
 * A small, dependency-free description of the Avro schemas this library publishes
 * (https://avro.apache.org/docs/1.11.1/specification/). Only what the contracts use is modelled;
 * widen it when a schema needs more. It is a type, not a parser: the platform library hands these
 * objects to the schema registry client, which parses and validates them.
 *
 * Named-type references ("dev.billvending.events.v1.EventMetadata" as a bare string) are left out on
 * purpose: every schema is self-contained so that no subject depends on another one (Apicurio's
 * Confluent-compatible API has gaps with schema references, Apicurio#2852 and #5133).
 */

export type AvroPrimitiveName = 'null' | 'boolean' | 'int' | 'long' | 'float' | 'double' | 'bytes' | 'string';

/** A primitive written in object form, optionally annotated with a logical type (e.g. `uuid` on a string). */
export interface AvroPrimitiveSchema {
  readonly type: AvroPrimitiveName;
  readonly logicalType?: string;
  readonly doc?: string;
}

/** A JSON value allowed as a field default (Avro defaults are JSON, so longs are plain numbers here). */
export type AvroDefault = null | boolean | number | string | readonly AvroDefault[] | { readonly [key: string]: AvroDefault };

export interface AvroField {
  readonly name: string;
  readonly type: AvroType;
  readonly doc?: string;
  /** Required for any field added to a schema already in use, or the BACKWARD_TRANSITIVE check refuses it. */
  readonly default?: AvroDefault;
  readonly aliases?: readonly string[];
}

export interface AvroRecordSchema {
  readonly type: 'record';
  readonly name: string;
  readonly namespace?: string;
  readonly doc?: string;
  readonly aliases?: readonly string[];
  readonly fields: readonly AvroField[];
}

export interface AvroEnumSchema {
  readonly type: 'enum';
  readonly name: string;
  readonly namespace?: string;
  readonly doc?: string;
  readonly symbols: readonly string[];
  /** Symbol used when a reader meets a symbol it does not know; makes adding symbols safe. */
  readonly default?: string;
}

export interface AvroArraySchema {
  readonly type: 'array';
  readonly items: AvroType;
}

export interface AvroMapSchema {
  readonly type: 'map';
  readonly values: AvroType;
}

/** A union is a JSON array of its branches; `['null', 'string']` with `default: null` is the optional string. */
export type AvroUnionSchema = readonly AvroType[];

export type AvroType =
  | AvroPrimitiveName
  | AvroPrimitiveSchema
  | AvroRecordSchema
  | AvroEnumSchema
  | AvroArraySchema
  | AvroMapSchema
  | AvroUnionSchema;

/** The fully qualified name of a record (`namespace.name`), which Avro readers match on. */
export function avroFullName(schema: Pick<AvroRecordSchema, 'name' | 'namespace'>): string {
  if (schema.name.includes('.') || schema.namespace === undefined || schema.namespace === '') return schema.name;
  return `${schema.namespace}.${schema.name}`;
}
