// Each line marked `expect-error TSnnnn` must fail with that code; nothing else may fail.
import { Hono } from 'hono';
import { MemorySessionStore, type RequestSession } from '@sessiongen/runtime';
import { withSession } from '@sessiongen/runtime/fetch';
import { ShopSessionRepository, shopSessionDescriptor, type ShopSession } from './generated/index.js';

const repository = new ShopSessionRepository(new MemorySessionStore(shopSessionDescriptor));
const app = new Hono<{ Bindings: { session: RequestSession<ShopSession> } }>();
app.get('/', async (c) => {
  const session = await c.env.session.get();
  session.set('roles', 'admin'); // expect-error TS2345
  return c.json({});
});
withSession({ repository }, (request, session) => {
  session.find().then((found) => found?.set('views', -1n)); // expect-error TS2345
  return app.fetch(request, { session });
});
