import { MemorySessionStore, type SessionStore } from 'sessiongen/runtime';
import { appSessionDescriptor } from '../../../generated/index.js';
import { openSqliteStore } from './sql.js';

/** The stores the demo can run on, by SESSION_STORE. */
const OPENERS: Record<string, (env: NodeJS.ProcessEnv) => Promise<SessionStore>> = {
  memory: async () => new MemorySessionStore(appSessionDescriptor),
  sqlite: openSqliteStore,
};

export async function openStore(env: NodeJS.ProcessEnv): Promise<SessionStore> {
  const kind = env.SESSION_STORE ?? 'sqlite';
  const open = OPENERS[kind];
  if (!open) throw new Error(`SESSION_STORE=${kind} is not one of: ${Object.keys(OPENERS).join(', ')}`);
  return open(env);
}
