/** The Fastify ceiling: no session, the same routes, bodies and statuses. */
import Fastify from 'fastify';
import { env, ready } from './common.js';

const app = Fastify();
app.post('/login', async (request) => ({ principalName: (request.body as { principalName: string }).principalName }));
app.put('/session/attributes/:name', async (_request, reply) => {
  return reply.code(204).send();
});
await app.listen({ port: env.port, host: '127.0.0.1' });
ready(app.server.address());
