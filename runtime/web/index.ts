/** sessiongen's web layer: session id resolvers, the per-request session, Express middleware, Fetch API wrapper, WebSocket keep-alive, express-session Store adapter. */
export * from './id-resolver.js';
export { integrationDefaults, type SessionLogger } from './integration-options.js';
export * from './cookie-resolver.js';
export * from './header-resolver.js';
export * from './request-session.js';
export * from './express.js';
export * from './fetch.js';
export * from './websocket.js';
export * from './express-session-store.js';
// The Fastify plugin is imported from 'sessiongen/runtime/web/fastify' (it augments fastify's types).
