/** Fastify with sessiongen's plugin on the Redis store. */
import Fastify, { type FastifyRequest } from 'fastify';
import type { RequestSession } from '@sessiongen/runtime';
import { fastifySession } from '@sessiongen/runtime/fastify';
import type { AppSession, AppSessionAttributes } from '../../generated/index.js';
import { env, ready } from './common.js';
import { openRepository } from './sessiongen-repository.js';

const repository = await openRepository('sessiongen-fastify');
const app = Fastify();
await app.register(fastifySession, { repository });
const sessionOf = (request: FastifyRequest) => request.session as unknown as RequestSession<AppSession>;
type Named = FastifyRequest<{ Params: { name: keyof AppSessionAttributes } }>;
app.post('/login', async (request) => {
  const body = request.body as { principalName: string };
  const session = sessionOf(request);
  await session.changeSessionId();
  (await session.get()).set('principalName', body.principalName);
  return { principalName: body.principalName };
});
app.put('/session/attributes/:name', async (request: Named, reply) => {
  const session = await sessionOf(request).find();
  if (!session?.get('principalName')) return reply.code(401).send();
  session.set(request.params.name, request.body as never);
  return reply.code(204).send();
});
app.get('/session/attributes/:name', async (request: Named) => (await sessionOf(request).find())?.get(request.params.name) ?? null);
await app.listen({ port: env.port, host: '127.0.0.1' });
ready(app.server.address());
