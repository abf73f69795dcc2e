// sessiongen's Fastify plugin, with the session type registered once (session-types.ts).
import Fastify from 'fastify';
import { MemorySessionStore } from '@sessiongen/runtime';
import { fastifySession } from '@sessiongen/runtime/fastify';
import { ShopSessionRepository, shopSessionDescriptor, type ShopSession } from './generated/index.js';

const repository = new ShopSessionRepository(new MemorySessionStore(shopSessionDescriptor));

const app = Fastify();
await app.register(fastifySession, { repository });

app.get('/views', async (request) => {
  const session: ShopSession = await request.session.get();
  const views = (session.get('views') ?? 0) + 1;
  session.set('views', views);
  const locale: string = session.get('locale');
  return { id: session.id, views, locale };
});

app.post('/login', async (request, reply) => {
  const session = await request.session.get();
  session.set('principalName', 'alice');
  await request.session.changeSessionId();
  return reply.code(204).send();
});

app.post('/logout', async (request, reply) => {
  await request.session.invalidate();
  return reply.code(204).send();
});

export { app };
