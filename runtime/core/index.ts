/**
 * `@sessiongen/runtime`: the core every app and all generated code import. Sessions, the
 * repository, the store SPI, the memory store, errors, ids, events, and the session id resolvers
 * and per-request session that every web integration shares. It loads no driver and no framework:
 * each store and integration is an entry of its own (`@sessiongen/runtime/sql`, `/redis`,
 * `/hazelcast`, `/express`, `/fastify`, `/fetch`, `/websocket`, `/express-session`).
 */
export * from './descriptor.js';
export * from './attribute-names.js';
export * from './errors.js';
export * from './ids.js';
export * from './clock.js';
export * from './expiry.js';
export * from './events.js';
export * from './store.js';
export * from './session.js';
export * from './storable.js';
export * from './repository.js';
export * from './json-helpers.js';
export * from './session-types.js';
export * from './devices.js';
export * from './reserved.js';
export { CLAIM_TIMEOUT_S, ADMISSION_TIME_MS, mostRecentFirst } from './principal-limit.js';
export { MemorySessionStore, type MemoryStoreOptions } from '../stores/memory/memory-store.js';
export * from '../web/id-resolver.js';
export * from '../web/cookie-resolver.js';
export * from '../web/header-resolver.js';
export * from '../web/request-session.js';
export * from '../web/client.js';
export { integrationDefaults, type SessionLogger } from '../web/integration-options.js';
