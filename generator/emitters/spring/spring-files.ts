import { readFileSync } from 'node:fs';
import { StructureKind, VariableDeclarationKind, type StatementStructures } from 'ts-morph';
import { SQL_DIALECTS, type SqlMigration, type SqlMigrationStep } from '@sessiongen/runtime/sql';
import {
  SPRING_ATTRIBUTE_COLUMNS,
  SPRING_ATTRIBUTE_PREFIX,
  SPRING_HASH_GRACE_SECONDS,
  SPRING_JDBC_CONVERSION_BEAN,
  SPRING_MOVED_IDS_COLUMNS,
  SPRING_NEVER_EXPIRES,
  SPRING_PRINCIPAL_NAME_INDEX_NAME,
  SPRING_REDIS_FIELDS,
  SPRING_REDIS_SERIALIZER_BEAN,
  SPRING_SESSION_COLUMNS,
  SPRING_TABLE_PLACEHOLDER,
  SpringRedisKeys,
  springAttributeField,
  springBucketMember,
  springBucketMinute,
  springDdlTemplates,
  springJdbcNames,
  springMember,
} from '@sessiongen/runtime/spring';
import type { EmitContext, EmittedFile, Emitter } from '../../emit/file-map.js';
import { render } from '../../emit/templates.js';
import { printModule } from '../../emit/typescript.js';
import { PACKAGE_ROOT } from '../../package-root.js';
import type { SessionModel, SpringModel } from '../../model/model.js';
import { splitStatements } from '../sql/ddl-file.js';

/**
 * Spring Session's layouts of a schema with `"compat": "spring"`: `spring/LAYOUT.md` (the keys,
 * rows and the Java configuration to paste), `spring/sql/<dialect>.sql` (Spring's own schema
 * scripts) and `spring/sql/migrations.ts` (the same DDL as a migration `migrateSqlSchema` applies).
 * Names come from the runtime's Spring layout modules (`@sessiongen/runtime/spring`).
 */

/** Fixed example values, so the document is the same on every run. */
const EXAMPLE_ID = '0f8fad5b-d9cb-469f-a165-70867728950e';
const EXAMPLE_NEW_ID = '7c9e6679-7425-40de-944b-e07fc1f90ae7';
const EXAMPLE_CREATED = 1_700_000_000_000;
const EXAMPLE_ACCESSED = 1_700_000_420_000;

/** The Java files the document embeds; the Spring round-trip tests compile and run these same files. */
const JAVA_DIR = new URL('templates/spring/java/', PACKAGE_ROOT);
const javaSource = (file: string) => readFileSync(new URL(file, JAVA_DIR), 'utf8').trimEnd();

/** The names the DDL templates get: the table's companions, and the columns by role. */
function ddlContext(table: string) {
  return { n: springJdbcNames(table), s: SPRING_SESSION_COLUMNS, a: SPRING_ATTRIBUTE_COLUMNS, m: SPRING_MOVED_IDS_COLUMNS };
}

/**
 * The migrations, per dialect with the table placeholder: Spring's two tables, then sessiongen's
 * id-change markers beside them (apply only the second where the Java app made Spring's tables).
 */
function springMigrations(spring: SpringModel): SqlMigration[] {
  const migration = (name: string, create: 'createTables' | 'createMovedIds', drop: 'dropTables' | 'dropMovedIds'): SqlMigration => {
    const up: Record<string, SqlMigrationStep[]> = {};
    const down: Record<string, SqlMigrationStep[]> = {};
    for (const dialect of SQL_DIALECTS) {
      const templates = springDdlTemplates(dialect.name);
      up[dialect.name] = splitStatements(render(templates[create], ddlContext(SPRING_TABLE_PLACEHOLDER)));
      down[dialect.name] = splitStatements(render(templates[drop], ddlContext(SPRING_TABLE_PLACEHOLDER)));
    }
    return { name, table: spring.table, up, down };
  };
  return [migration('0001_spring_session', 'createTables', 'dropTables'), migration('0002_spring_session_moved_ids', 'createMovedIds', 'dropMovedIds')];
}

function migrationsModule(model: SessionModel, spring: SpringModel, runtimeImport: string): string {
  const statements: StatementStructures[] = [
    { kind: StructureKind.ImportDeclaration, moduleSpecifier: `${runtimeImport}/sql`, namedImports: ['SqlMigration'], isTypeOnly: true },
    {
      kind: StructureKind.VariableStatement,
      isExported: true,
      declarationKind: VariableDeclarationKind.Const,
      docs: [
        `Spring Session's tables for ${model.name} sessions (\`${spring.table}\`, \`${spring.table}_ATTRIBUTES\`), then sessiongen's ` +
          `id-change markers beside them (\`${spring.table}_MOVED_IDS\`): apply with \`migrateSqlSchema(knex, migrations, { table })\`. Where the ` +
          "Java app makes Spring's tables (Spring Boot's `spring.session.jdbc.initialize-schema`), apply the second alone (`migrations.slice(1)`).",
      ],
      declarations: [
        { name: `${model.camel}SpringSqlMigrations`, type: 'readonly SqlMigration[]', initializer: JSON.stringify(springMigrations(spring), null, 2) },
      ],
    },
  ];
  return printModule(statements);
}

function layoutContext(model: SessionModel, spring: SpringModel) {
  const keys = new SpringRedisKeys(spring.namespace);
  const jdbc = springJdbcNames(spring.table);
  const principal = model.indexes.find((index) => index.isPrincipal)?.attribute;
  const stored = (name: string) => (name === principal ? SPRING_PRINCIPAL_NAME_INDEX_NAME : name);
  const expiresAt = EXAMPLE_ACCESSED + model.maxInactiveInterval * 1000;
  const exampleFields = [
    { field: SPRING_REDIS_FIELDS.creationTime, value: String(EXAMPLE_CREATED) },
    { field: SPRING_REDIS_FIELDS.lastAccessedTime, value: String(EXAMPLE_ACCESSED) },
    { field: SPRING_REDIS_FIELDS.maxInactiveInterval, value: String(model.maxInactiveInterval) },
    ...(principal ? [{ field: springAttributeField(SPRING_PRINCIPAL_NAME_INDEX_NAME), value: JSON.stringify('alice') }] : []),
  ];
  return {
    name: model.name,
    camel: model.camel,
    source: model.sourcePath,
    namespace: spring.namespace,
    redisRepository: spring.redisRepository,
    redisExpirations: spring.redisExpirations,
    indexed: spring.redisRepository === 'indexed',
    sortedSet: spring.redisExpirations === 'sorted-set',
    graceSeconds: SPRING_HASH_GRACE_SECONDS,
    redisBean: SPRING_REDIS_SERIALIZER_BEAN,
    jdbcBean: SPRING_JDBC_CONVERSION_BEAN,
    codec: javaSource('SessionValueCodec.java'),
    redisConfiguration: javaSource('SessionRedisJsonConfiguration.java'),
    jdbcConfiguration: javaSource('SessionJdbcJsonConfiguration.java'),
    principal: principal ?? '',
    principalStored: SPRING_PRINCIPAL_NAME_INDEX_NAME,
    attributes: model.attributes.map((attribute) => ({
      name: attribute.name,
      description: attribute.description ?? '',
      field: springAttributeField(stored(attribute.name)),
      row: stored(attribute.name),
    })),
    patternAttributes: model.patternAttributes.map((family) => ({ prefix: family.prefix, pattern: family.pattern, field: springAttributeField(family.prefix) })),
    secondaryIndexes: model.indexes.filter((index) => !index.isPrincipal).map((index) => ({ pascal: index.pascal, row: stored(index.attribute) })),
    hasSecondaryIndexes: model.indexes.some((index) => !index.isPrincipal),
    fields: SPRING_REDIS_FIELDS,
    attributePrefix: SPRING_ATTRIBUTE_PREFIX,
    exampleCreated: EXAMPLE_CREATED,
    exampleAccessed: EXAMPLE_ACCESSED,
    exampleFields,
    neverExpires: SPRING_NEVER_EXPIRES,
    redis: {
      sessionPattern: keys.session('<id>'),
      sessionExample: keys.session(EXAMPLE_ID),
      expiresPattern: keys.expires('<id>'),
      expiresExample: keys.expires(EXAMPLE_ID),
      zset: keys.zset,
      memberExample: springMember(EXAMPLE_ID),
      bucketPattern: keys.bucket(0).replace(/0$/, '<expiry rounded up to the next minute, ms>'),
      bucketExample: `SMEMBERS ${keys.bucket(springBucketMinute(expiresAt))} → ${springBucketMember(EXAMPLE_ID)}`,
      principalPattern: keys.principal('<principal>'),
      principalExample: `SMEMBERS ${keys.principal('alice')} → ${springMember(EXAMPLE_ID)}`,
      createdPattern: keys.created(0, '<id>').replace(':0:', ':<db>:'),
      createdExample: keys.created(0, EXAMPLE_ID),
      movedPattern: keys.moved('<old id>'),
      movedExample: `GET ${keys.moved(EXAMPLE_ID)} → ${EXAMPLE_NEW_ID}`,
    },
    jdbc: { ...jdbc, s: SPRING_SESSION_COLUMNS, a: SPRING_ATTRIBUTE_COLUMNS, m: SPRING_MOVED_IDS_COLUMNS, attributeName: SPRING_ATTRIBUTE_COLUMNS.attributeName },
  };
}

export const springEmitter: Emitter = {
  name: 'spring',
  emit({ model, runtimeImport }: EmitContext): EmittedFile[] {
    const spring = model.spring;
    if (!spring) return [];
    const files: EmittedFile[] = [{ path: 'spring/LAYOUT.md', content: render('spring/LAYOUT.md.hbs', layoutContext(model, spring)) }];
    for (const dialect of SQL_DIALECTS) {
      const live = dialect.live ? 'used by the tests on a live server' : 'emitted only; not run on a live server here';
      const templates = springDdlTemplates(dialect.name);
      const script = render(templates.createTables, ddlContext(spring.table));
      const moved = render(templates.createMovedIds, ddlContext(spring.table));
      files.push({
        path: `spring/sql/${dialect.name}.sql`,
        content:
          `-- Spring Session's tables, ${dialect.name} (${live}): Spring's own schema-*.sql.\n${script}\n` +
          `-- sessiongen's id-change markers beside them (Spring never reads this table).\n${moved}`,
      });
    }
    files.push({ path: 'spring/sql/migrations.ts', content: migrationsModule(model, spring, runtimeImport) });
    return files;
  },
};
