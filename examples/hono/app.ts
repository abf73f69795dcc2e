/**
 * A Hono app on sessiongen through the Fetch API wrapper: `withSession` wraps `app.fetch`
 * (Request in, Response out) and hands each request's lazy session to the routes as a binding,
 * typed by the generated `AppSession`. The same code runs on Node (@hono/node-server), Bun,
 * Deno and Workers.
 */
import { Hono } from 'hono';
import { InvalidAttributeError, validateAttribute, type SessionIdResolver } from '@sessiongen/runtime';
import type { RequestSession } from '@sessiongen/runtime';
import { withSession } from '@sessiongen/runtime/fetch';
import { appSessionDescriptor, type AppSession, type AppSessionAttributes, type AppSessionRepository } from '../../generated/index.js';

export type SessionEnv = { Bindings: { session: RequestSession<AppSession> } };

type Name = keyof AppSessionAttributes & string;

/** The demo's session routes, in Hono. */
export function createHonoApp(repository: AppSessionRepository): Hono<SessionEnv> {
  const app = new Hono<SessionEnv>();

  app.get('/api/session', async (c) => {
    const session = await c.env.session.find();
    if (!session) return c.json({ id: null, attributes: {} });
    return c.json({
      id: session.id,
      creationTime: session.creationTime,
      lastAccessedTime: session.lastAccessedTime,
      maxInactiveInterval: session.maxInactiveInterval,
      attributes: session.attributesSnapshot(),
    });
  });

  app.put('/api/session/attributes/:name', async (c) => {
    const name = c.req.param('name');
    let value: unknown;
    try {
      value = JSON.parse(await c.req.text());
    } catch {
      return c.json({ error: 'the body must be a JSON value', path: '' }, 400);
    }
    validateAttribute(appSessionDescriptor, name, value); // before the session is loaded: nothing stored
    const session = await c.env.session.get();
    session.set(name as Name, value as never);
    return c.body(null, 204);
  });

  app.delete('/api/session/attributes/:name', async (c) => {
    const session = await c.env.session.find();
    session?.remove(c.req.param('name') as Name);
    return c.body(null, 204);
  });

  app.post('/api/login', async (c) => {
    const { principalName } = (await c.req.json().catch(() => ({}))) as { principalName?: unknown };
    validateAttribute(appSessionDescriptor, 'principalName', principalName);
    const session = await c.env.session.get();
    session.set('principalName', principalName as string).set('lastLoginAt', Date.now());
    const id = await c.env.session.regenerate(); // new id, same attributes: fixation defence
    return c.json({ id });
  });

  app.post('/api/logout', async (c) => {
    await c.env.session.invalidate();
    return c.body(null, 204);
  });

  app.get('/api/sessions', async (c) => {
    const principalName = c.req.query('principalName');
    if (!principalName) return c.json({ error: 'principalName query parameter is required', path: '/principalName' }, 400);
    const sessions = [...(await repository.findByPrincipalName(principalName)).values()]
      .sort((a, b) => a.creationTime - b.creationTime)
      .map((s) => ({ id: s.id, creationTime: s.creationTime, lastAccessedTime: s.lastAccessedTime }));
    return c.json(sessions);
  });

  app.onError((err, c) => {
    if (err instanceof InvalidAttributeError) return c.json({ error: err.message, path: err.path }, 400);
    throw err; // store failures: withSession answers 503
  });
  return app;
}

/** The whole app as one Fetch handler with sessions. */
export function createHonoFetch(repository: AppSessionRepository, resolver?: SessionIdResolver) {
  const app = createHonoApp(repository);
  return withSession({ repository, ...(resolver ? { resolver } : {}) }, (request, session) => app.fetch(request, { session }));
}
