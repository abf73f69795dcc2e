import type { AppSession } from '../../generated/index.js';

// Types `req.session` (Express) and `request.session` (Fastify) as the generated AppSession for the whole demo.
declare module '@sessiongen/runtime' {
  interface SessionTypeRegister {
    session: AppSession;
  }
}
