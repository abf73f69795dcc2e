import type { Emitter } from '../emit/file-map.js';
import { descriptorEmitter } from './descriptor/descriptor-file.js';
import { geodeEmitter } from './geode/geode-files.js';
import { hazelcastEmitter } from './hazelcast/hazelcast-files.js';
import { indexEmitter } from './index-file.js';
import { redisLayoutEmitter } from './redis/layout-file.js';
import { repositoryEmitter } from './repository/repository-file.js';
import { springEmitter } from './spring/spring-files.js';
import { ddlEmitter } from './sql/ddl-file.js';
import { migrationsEmitter } from './sql/migrations/migration-files.js';
import { typesEmitter } from './typescript/types-file.js';
import { validatorsEmitter } from './validators/validators-file.js';

/** Every emitter, in a fixed order; each file they emit has exactly one emitter. */
export const EMITTERS: readonly Emitter[] = [
  typesEmitter,
  validatorsEmitter,
  descriptorEmitter,
  repositoryEmitter,
  ddlEmitter,
  redisLayoutEmitter,
  migrationsEmitter,
  hazelcastEmitter,
  geodeEmitter,
  springEmitter,
  indexEmitter,
];
