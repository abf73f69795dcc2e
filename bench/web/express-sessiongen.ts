/** Express with sessiongen's middleware on the Redis store. */
import express from 'express';
import type { RequestSession } from '@sessiongen/runtime';
import { sessionErrorHandler, sessionMiddleware } from '@sessiongen/runtime/express';
import type { AppSession, AppSessionAttributes } from '../../generated/index.js';
import { env, ready } from './common.js';
import { openRepository } from './sessiongen-repository.js';

const repository = await openRepository('sessiongen-express');
const app = express();
app.disable('x-powered-by');
app.disable('etag');
app.use(express.json({ strict: false }));
app.use(sessionMiddleware({ repository }));
const sessionOf = (req: express.Request) => req.session as unknown as RequestSession<AppSession>;
app.post('/login', async (req, res) => {
  const session = sessionOf(req);
  await session.changeSessionId();
  (await session.get()).set('principalName', req.body.principalName);
  res.json({ principalName: req.body.principalName });
});
app.put('/session/attributes/:name', async (req, res) => {
  const session = await sessionOf(req).find();
  if (!session?.get('principalName')) return void res.status(401).end();
  session.set(req.params.name as keyof AppSessionAttributes, req.body);
  res.status(204).end();
});
app.get('/session/attributes/:name', async (req, res) => {
  const session = await sessionOf(req).find();
  res.json(session?.get(req.params.name as keyof AppSessionAttributes) ?? null);
});
app.use(sessionErrorHandler());
const server = app.listen(env.port, '127.0.0.1', () => ready(server.address()));
