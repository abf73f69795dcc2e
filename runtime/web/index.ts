/** sessiongen's web layer: session id resolvers, the per-request session, and the Express middleware. */
export * from './id-resolver.js';
export * from './cookie-resolver.js';
export * from './header-resolver.js';
export * from './request-session.js';
export * from './express.js';
