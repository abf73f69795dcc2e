/**
 * `@sessiongen/runtime/spring`: sessions shared with Spring Session apps, in Spring's Redis layout
 * (ioredis) and Spring's JDBC tables (knex), for schemas with `x-sessiongen.compat: "spring"`.
 * The drivers are the app's own: this entry loads none of them.
 */
export { SpringRedisSessionStore, type SpringRedisStoreOptions, type SpringRedisCapabilities } from './redis-store.js';
export { SpringJdbcSessionStore, type SpringJdbcStoreOptions, type SpringJdbcCapabilities } from './jdbc-store.js';
export { SpringLayoutError } from './spring-names.js';
export { SPRING_PRINCIPAL_NAME_INDEX_NAME, SPRING_SECURITY_CONTEXT, SpringAttributeNames } from './attributes.js';
export {
  SPRING_DEFAULT_NAMESPACE,
  SPRING_ATTRIBUTE_PREFIX,
  SPRING_REDIS_FIELDS,
  SPRING_HASH_GRACE_SECONDS,
  SPRING_KEYSPACE_FLAGS,
  SpringRedisKeys,
  springAttributeField,
  springSessionKey,
  springExpiresKey,
  springMovedKey,
  springExpirationsBucketKey,
  springExpirationsZsetKey,
  springPrincipalKey,
  springCreatedChannel,
  springMember,
  springBucketMember,
  springBucketMinute,
  type SpringRedisRepository,
  type SpringRedisExpirations,
} from './redis-layout.js';
export {
  SPRING_DEFAULT_TABLE,
  SPRING_SESSION_COLUMNS,
  SPRING_ATTRIBUTE_COLUMNS,
  SPRING_MOVED_IDS_COLUMNS,
  SPRING_NEVER_EXPIRES,
  SPRING_PRINCIPAL_NAME_LENGTH,
  SPRING_ATTRIBUTE_NAME_LENGTH,
  SPRING_SESSION_ID_LENGTH,
  SPRING_SAFE_TABLE,
  SPRING_TABLE_PLACEHOLDER,
  springJdbcNames,
  springDdlTemplates,
  type SpringJdbcNames,
} from './jdbc-layout.js';
export {
  SPRING_REDIS_SERIALIZER_BEAN,
  SPRING_JDBC_CONVERSION_BEAN,
  decodeSpringValue,
  encodeSpringValue,
  springJson,
  findJavaTypeId,
  isJavaSerialization,
  javaSettingToChange,
  type DecodedValue,
} from './values.js';
