/** `npx tsx examples/hono/server.ts`: the Hono example on Node, with the demo's stores (SESSION_STORE, default sqlite). */
import { serve } from '@hono/node-server';
import { AppSessionRepository } from '../../generated/index.js';
import { openStore } from '../demo/stores/open-store.js';
import { createHonoFetch } from './app.js';

const store = await openStore(process.env);
const repository = new AppSessionRepository(store);
const port = Number(process.env.PORT ?? 3001);
const server = serve({ fetch: createHonoFetch(repository), port, hostname: '127.0.0.1' }, (info) => {
  console.log(`sessiongen Hono example on http://127.0.0.1:${info.port}`);
});
const stop = () => server.close(() => void repository.close().then(() => process.exit(0)));
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
