import type { ShopSession } from './generated/index.js';

// The one registration of the session type: it types `req.session` in the Express integration
// (and `request.session` in the Fastify one) wherever those are imported.
declare module '@sessiongen/runtime' {
  interface SessionTypeRegister {
    session: ShopSession;
  }
}
