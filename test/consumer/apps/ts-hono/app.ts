// A Hono app on sessiongen through the Fetch API wrapper: `withSession` wraps `app.fetch` and hands
// each request's lazy session to the routes as a binding, typed by the registered session type.
import { Hono } from 'hono';
import { MemorySessionStore, type RegisteredSession, type RequestSession } from '@sessiongen/runtime';
import { withSession } from '@sessiongen/runtime/fetch';
import { ShopSessionRepository, shopSessionDescriptor, type ShopSession } from './generated/index.js';

declare module '@sessiongen/runtime' {
  interface SessionTypeRegister {
    session: ShopSession;
  }
}

type SessionEnv = { Bindings: { session: RequestSession<RegisteredSession> } };

const repository = new ShopSessionRepository(new MemorySessionStore(shopSessionDescriptor));
const app = new Hono<SessionEnv>();

app.get('/views', async (c) => {
  const session = await c.env.session.get();
  const views = (session.get('views') ?? 0) + 1;
  session.set('views', views);
  return c.json({ id: session.id, views, locale: session.get('locale') });
});

app.post('/logout', async (c) => {
  await c.env.session.invalidate();
  return c.body(null, 204);
});

/** The whole app as one Fetch handler (Node via @hono/node-server, Bun, Deno, Workers). */
export const fetch: (request: Request) => Promise<Response> = withSession({ repository }, (request, session) => app.fetch(request, { session }));
