import { GEODE_DOCUMENT_FIELDS } from '@sessiongen/runtime/geode';
import { HAZELCAST_DOCUMENT_FIELDS } from '@sessiongen/runtime/hazelcast';
import { SQL_COLUMNS } from '@sessiongen/runtime/sql';

/**
 * The model in the middle: a session schema after loading and checking, with every name the
 * emitters need already derived. Emitters read only this, never the schema file.
 */

export type JsonSchema = { [keyword: string]: unknown };

export type IndexValueType = 'string' | 'integer' | 'number' | 'boolean';

export interface AttributeModel {
  /** The attribute name as written in the schema (`principalName`). */
  name: string;
  /** Its JSON Schema, `$ref`s left as written (`#/$defs/CartItem`). */
  schema: JsonSchema;
  description?: string;
  hasDefault: boolean;
  default?: unknown;
}

export interface PatternAttributeModel {
  /** The regular expression source, as the schema's key (`^draft:[a-z0-9-]{1,64}$`). */
  pattern: string;
  /** The literal start every matching name has (`draft:`). */
  prefix: string;
  schema: JsonSchema;
  description?: string;
  /** The most attributes of this family one session may hold (`x-sessiongen.maxPatternAttributes`). */
  maxAttributes?: number;
}

/** Open attributes: `additionalProperties` as a schema (`true` is `{}`), for every undeclared name. */
export interface OpenAttributesModel {
  schema: JsonSchema;
  description?: string;
}

export interface IndexModel {
  /** Index name = the attribute it indexes. */
  name: string;
  attribute: string;
  type: IndexValueType;
  /** Longest string value (column width); strings only. */
  maxLength?: number;
  /** snake_case name for SQL columns and store fields (`principal_name`). */
  column: string;
  /** PascalCase for finder names (`PrincipalName` → `findByPrincipalName`). */
  pascal: string;
  isPrincipal: boolean;
}

export interface DefModel {
  /** The `$defs` key, which is also the TypeScript type name. */
  name: string;
  schema: JsonSchema;
  description?: string;
}

export interface StoresModel {
  sql: { table: string };
  redis: { keyPrefix: string };
  hazelcast: { map: string; backupCount: number };
  geode: { region: string; redundantCopies: number };
}

/** Spring Session's layouts, with `x-sessiongen.compat: "spring"` (defaults filled in). */
export interface SpringModel {
  /** Redis key namespace (`spring:session`). */
  namespace: string;
  /** JDBC session table (`SPRING_SESSION`). */
  table: string;
  redisRepository: 'indexed' | 'plain';
  redisExpirations: 'minute' | 'sorted-set';
}

export interface SessionModel {
  /** PascalCase type name (`AppSession`). */
  name: string;
  /** camelCase of the name (`appSession`). */
  camel: string;
  namespace: string;
  description?: string;
  /** Default timeout in seconds; negative = never expires. */
  maxInactiveInterval: number;
  attributes: AttributeModel[];
  patternAttributes: PatternAttributeModel[];
  /** Absent when `additionalProperties` is `false`: undeclared names are rejected. */
  openAttributes?: OpenAttributesModel;
  /** `x-sessiongen.maxSessionBytes` when the schema sets it (the runtime's default applies otherwise). */
  maxSessionBytes?: number;
  indexes: IndexModel[];
  principalIndex?: string;
  /** `x-sessiongen.absoluteTimeout` in seconds, when the schema sets one. */
  absoluteTimeout?: number;
  /** `x-sessiongen.maxSessionsPerPrincipal`, with its policy filled in. */
  maxSessionsPerPrincipal?: { max: number; policy: 'end-least-recently-used' | 'refuse' };
  /** `x-sessiongen.touchInterval` in seconds, when the schema sets one. */
  touchInterval?: number;
  /** `x-sessiongen.devices`: true when the schema opts in. */
  devices?: boolean;
  defs: DefModel[];
  stores: StoresModel;
  /** Present with `x-sessiongen.compat: "spring"`: the sessions are shared with Spring Session apps. */
  spring?: SpringModel;
  /** The whole schema as loaded (for validators), `x-sessiongen` included. */
  schema: JsonSchema;
  /** The path of the schema file, relative to the working directory, for messages. */
  sourcePath: string;
}

/**
 * The fixed columns and fields the stores have beside the index columns (the SQL table's, the
 * Hazelcast and Geode documents'); an index column may not take one of these names.
 */
export const RESERVED_COLUMNS: readonly string[] = [
  ...new Set([...Object.values(SQL_COLUMNS), ...Object.values(HAZELCAST_DOCUMENT_FIELDS), ...Object.values(GEODE_DOCUMENT_FIELDS)]),
];
