/** Fastify with sessiongen's plugin on the Redis store. */
import Fastify from 'fastify';
import type { RequestSession } from '@sessiongen/runtime';
import { createRedisSessionClient, RedisSessionStore } from '@sessiongen/runtime/redis';
import { fastifySession } from '@sessiongen/runtime/fastify';
import { AppSessionRepository, appSessionDescriptor, type AppSession } from '../../generated/index.js';
import { env, ready } from './common.js';

const client = createRedisSessionClient({ url: env.redisUrl });
const store = await RedisSessionStore.open(appSessionDescriptor, client, { keyPrefix: `${env.prefix}:sessiongen-fastify`, keyspaceNotifications: 'off' });
const repository = new AppSessionRepository(store);
const app = Fastify();
await app.register(fastifySession, { repository });
app.get('/hit', async (request) => {
  const session = await (request.session as RequestSession<AppSession>).get();
  const n = (session.get('lastLoginAt') ?? 0) + 1;
  session.set('lastLoginAt', n);
  return { n };
});
await app.listen({ port: env.port, host: '127.0.0.1' });
ready(app.server.address());
