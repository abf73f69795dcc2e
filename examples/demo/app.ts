import express, { type NextFunction, type Request, type Response } from 'express';
import { InvalidAttributeError, validateAttribute, type SessionIdResolver } from '@sessiongen/runtime';
import { sessionErrorHandler, sessionMiddleware } from '@sessiongen/runtime/express';
import { appSessionDescriptor, type AppSessionAttributes, type AppSessionRepository } from '../../generated/index.js';
import './session-types.js';

type Name = keyof AppSessionAttributes & string;

/** The demo's routes (DESIGN, "The demo app") over any repository and id resolver. */
export function createDemoApp(repository: AppSessionRepository, resolver?: SessionIdResolver): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(sessionMiddleware({ repository, ...(resolver ? { resolver } : {}) }));

  app.get('/api/session', async (req, res) => {
    const session = await req.session.find();
    if (!session) {
      res.json({ id: null, creationTime: null, lastAccessedTime: null, maxInactiveInterval: null, attributes: {} });
      return;
    }
    res.json({
      id: session.id,
      creationTime: session.creationTime,
      lastAccessedTime: session.lastAccessedTime,
      maxInactiveInterval: session.maxInactiveInterval,
      attributes: session.attributesSnapshot(),
    });
  });

  app.put('/api/session/attributes/:name', express.text({ type: () => true, limit: '256kb' }), async (req, res) => {
    const name = String(req.params.name);
    const value = parseJsonBody(req.body);
    if (value instanceof Error) {
      res.status(400).json({ error: value.message, path: '' });
      return;
    }
    // Checked before the session is loaded or created: a rejected value stores nothing.
    validateAttribute(appSessionDescriptor, name, value);
    const session = await req.session.get();
    session.set(name as Name, value as never);
    res.status(204).end();
  });

  app.delete('/api/session/attributes/:name', async (req, res) => {
    const session = await req.session.find();
    if (session && session.has(req.params.name as Name)) session.remove(req.params.name as Name);
    res.status(204).end();
  });

  app.post('/api/login', express.json({ limit: '16kb' }), async (req, res) => {
    const principalName: unknown = (req.body as { principalName?: unknown } | undefined)?.principalName;
    validateAttribute(appSessionDescriptor, 'principalName', principalName);
    const session = await req.session.get();
    session.set('principalName', principalName as string).set('lastLoginAt', Date.now());
    const id = await req.session.changeSessionId();
    res.json({ id });
  });

  app.post('/api/logout', async (req, res) => {
    await req.session.invalidate();
    res.status(204).end();
  });

  app.get('/api/sessions', async (req, res) => {
    const principalName = req.query.principalName;
    if (typeof principalName !== 'string' || principalName === '') {
      res.status(400).json({ error: 'principalName query parameter is required', path: '/principalName' });
      return;
    }
    const sessions = [...(await repository.findByPrincipalName(principalName)).values()]
      .sort((a, b) => a.creationTime - b.creationTime)
      .map((session) => ({ id: session.id, creationTime: session.creationTime, lastAccessedTime: session.lastAccessedTime }));
    res.json(sessions);
  });

  app.delete('/api/sessions/:id', async (req, res) => {
    await repository.deleteById(req.params.id);
    res.status(204).end();
  });

  app.use((_req, res) => {
    res.status(404).json({ error: 'not found', path: '' });
  });
  app.use(demoErrorHandler);
  app.use(sessionErrorHandler());
  return app;
}

function parseJsonBody(body: unknown): unknown {
  if (typeof body !== 'string' || body.trim() === '') return new Error('the body must be a JSON value');
  try {
    return JSON.parse(body);
  } catch (err) {
    return new Error(`the body is not JSON: ${(err as Error).message}`);
  }
}

/**
 * Bad input becomes a 4xx with `{ error, path }` (400 for a value the schema or a store rejects,
 * 413 when the session would grow past its limits); store failures go on to the session error handler.
 */
function demoErrorHandler(err: unknown, _req: Request, res: Response, next: NextFunction): void {
  if (err instanceof InvalidAttributeError) {
    res.status(err.status).json({ error: err.message, path: err.path });
    return;
  }
  const status = (err as { status?: unknown; statusCode?: unknown }).status ?? (err as { statusCode?: unknown }).statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    res.status(status).json({ error: (err as Error).message, path: '' });
    return;
  }
  next(err);
}
