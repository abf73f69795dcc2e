// @fastify/session (+ @fastify/cookie) with connect-redis (node-redis) as its store, with its
// defaults. Plain JS for the same reason as express-session-redis.mjs (its types declare request.session).
import Fastify from 'fastify';
import fastifyCookie from '@fastify/cookie';
import fastifySession from '@fastify/session';
import { RedisStore } from 'connect-redis';
import { createClient } from 'redis';

const port = Number(process.env.PORT ?? 0);
const client = createClient({ url: process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379/8' });
await client.connect();
const app = Fastify();
await app.register(fastifyCookie);
await app.register(fastifySession, {
  secret: 'sessiongen benchmark secret, not a real one, 32+ chars',
  cookie: { secure: false },
  saveUninitialized: false,
  store: new RedisStore({ client, prefix: `${process.env.BENCH_PREFIX ?? 'bench'}:fastify-session:` }),
});
app.post('/login', async (request) => {
  await request.session.regenerate();
  request.session.set('principalName', request.body.principalName);
  return { principalName: request.body.principalName };
});
app.put('/session/attributes/:name', async (request, reply) => {
  if (!request.session.get('principalName')) return reply.code(401).send();
  request.session.set(request.params.name, request.body);
  return reply.code(204).send();
});
app.get('/session/attributes/:name', async (request) => request.session.get(request.params.name) ?? null);
await app.listen({ port, host: '127.0.0.1' });
process.stdout.write(`ready ${app.server.address().port}\n`);
// Exits normally when the load generator is done, so a `--cpu-prof` profile gets written.
process.once('SIGINT', () => process.exit(0));
