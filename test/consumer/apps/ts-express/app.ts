// sessiongen's own Express middleware, with the session type registered once (session-types.ts).
import express from 'express';
import { MemorySessionStore } from '@sessiongen/runtime';
import { sessionErrorHandler, sessionMiddleware } from '@sessiongen/runtime/express';
import { ShopSessionRepository, shopSessionDescriptor, type ShopSession } from './generated/index.js';

const repository = new ShopSessionRepository(new MemorySessionStore(shopSessionDescriptor));

const app = express();
app.use(sessionMiddleware({ repository }));

app.get('/views', async (req, res) => {
  const session: ShopSession = await req.session.get();
  const views = (session.get('views') ?? 0) + 1;
  session.set('views', views);
  const locale: string = session.get('locale');
  res.json({ id: session.id, views, locale });
});

app.post('/login', async (req, res) => {
  const session = await req.session.get();
  session.set('principalName', 'alice').set('roles', ['admin']);
  const id: string = await req.session.changeSessionId();
  res.json({ id });
});

app.post('/logout', async (req, res) => {
  await req.session.invalidate();
  res.status(204).end();
});

app.use(sessionErrorHandler());

export { app };
