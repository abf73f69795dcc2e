import type { ShopSession } from './generated/index.js';

// The one registration of the session type: it types `request.session` in the Fastify plugin.
declare module '@sessiongen/runtime' {
  interface SessionTypeRegister {
    session: ShopSession;
  }
}
