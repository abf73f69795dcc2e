import type { AppSession } from '../../generated/index.js';

// Types `req.session` as the generated AppSession for the whole demo.
declare module 'sessiongen/runtime/web/express' {
  interface ExpressSessionRegister {
    session: AppSession;
  }
}
