/** Express with sessiongen's middleware on the Redis store: each request loads its session and changes one attribute. */
import express from 'express';
import type { RequestSession } from '@sessiongen/runtime';
import { createRedisSessionClient, RedisSessionStore } from '@sessiongen/runtime/redis';
import { sessionMiddleware } from '@sessiongen/runtime/express';
import { AppSessionRepository, appSessionDescriptor, type AppSession } from '../../generated/index.js';
import { env, ready } from './common.js';

const client = createRedisSessionClient({ url: env.redisUrl });
const store = await RedisSessionStore.open(appSessionDescriptor, client, { keyPrefix: `${env.prefix}:sessiongen`, keyspaceNotifications: 'off' });
const repository = new AppSessionRepository(store);
const app = express();
app.disable('x-powered-by');
app.use(sessionMiddleware({ repository }));
app.get('/hit', async (req, res) => {
  const session = await (req.session as RequestSession<AppSession>).get();
  const n = (session.get('lastLoginAt') ?? 0) + 1;
  session.set('lastLoginAt', n);
  res.json({ n });
});
const server = app.listen(env.port, '127.0.0.1', () => ready(server.address()));
