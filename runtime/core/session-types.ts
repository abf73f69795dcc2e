import type { Session } from './session.js';

/**
 * Where an app registers its generated session type once, which types the session in every web
 * integration it imports (`req.session` in Express, `request.session` in Fastify):
 *
 * ```ts
 * declare module '@sessiongen/runtime' {
 *   interface SessionTypeRegister { session: AppSession }
 * }
 * ```
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface SessionTypeRegister {}

/** The registered session type, or the untyped `Session` when none is registered. */
export type RegisteredSession = SessionTypeRegister extends { session: infer S extends Session<any, any> }
  ? S
  : Session<any, any>;
