import express, { type NextFunction, type Request, type Response } from 'express';
import { InvalidAttributeError, SessionConflictError, SessionStoreError, validateAttribute, type SessionIdResolver, type TrustProxy } from '@sessiongen/runtime';
import { sessionErrorHandler, sessionMiddleware } from '@sessiongen/runtime/express';
import { appSessionDescriptor, type AppSession, type AppSessionAttributes, type AppSessionRepository } from '../../generated/index.js';
import './session-types.js';

type Name = keyof AppSessionAttributes & string;

/** Set only by POST /api/login (which also changes the id), never through the attribute routes. */
const PRINCIPAL = 'principalName' satisfies Name;

/**
 * The demo's routes (DESIGN, "The demo app") over any repository and id resolver.
 *
 * The login takes a bare name: it shows the session mechanics and is no authentication. What the
 * routes do with it is safe to copy: the principal is set only at login (with a new id), listing
 * and revoking reach only the caller's own principal's sessions, and every error is JSON without
 * a stack trace. `trustProxy` says which proxies to believe about the client's address, for the
 * devices the listing shows.
 */
export function createDemoApp(repository: AppSessionRepository, resolver?: SessionIdResolver, options: { trustProxy?: TrustProxy } = {}): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(sessionMiddleware({ repository, ...(resolver ? { resolver } : {}), trustProxy: options.trustProxy ?? false }));

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
    if (name === PRINCIPAL) {
      res.status(403).json({ error: 'principalName is set by POST /api/login', path: `/${PRINCIPAL}` });
      return;
    }
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
    if (req.params.name === PRINCIPAL) {
      res.status(403).json({ error: 'principalName is cleared by POST /api/logout', path: `/${PRINCIPAL}` });
      return;
    }
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
    // Saved here, so that a login past SESSION_MAX_PER_PRINCIPAL (policy refuse) fails in this
    // route: 403 { error, reason: 'too-many-sessions', status }, the session left as it was.
    await req.session.save();
    res.json({ id });
  });

  app.post('/api/logout', async (req, res) => {
    await req.session.invalidate();
    res.status(204).end();
  });

  // The caller's own principal's sessions; `?principalName=` may name it, and no one else.
  app.get('/api/sessions', async (req, res) => {
    const current = await loggedIn(req, res);
    if (!current) return;
    const principalName = current.get(PRINCIPAL)!;
    const asked = req.query.principalName;
    if (asked !== undefined && asked !== principalName) {
      res.status(403).json({ error: "only your own principal's sessions can be listed", path: `/${PRINCIPAL}` });
      return;
    }
    // Summaries from the index: times and device, never another session's attributes.
    const sessions = (await repository.sessionsOf(principalName))
      .sort((a, b) => a.creationTime - b.creationTime)
      .map((summary) => ({
        id: summary.id,
        current: summary.id === current.id,
        creationTime: summary.creationTime,
        lastAccessedTime: summary.lastAccessedTime,
        expiresAt: summary.expiresAt,
        device: summary.device ?? null,
      }));
    res.json(sessions);
  });

  // Sign out everywhere else: ends every other session of the caller's own principal.
  app.post('/api/sessions/revoke-others', async (req, res) => {
    const current = await loggedIn(req, res);
    if (!current) return;
    const revoked = await repository.endSessionsOf(current.get(PRINCIPAL)!, { except: current.id });
    res.json({ revoked: revoked.sort() });
  });

  // Revokes one of the caller's own principal's sessions (this one too); any other id is 404, as if it did not exist.
  app.delete('/api/sessions/:id', async (req, res) => {
    const current = await loggedIn(req, res);
    if (!current) return;
    const id = req.params.id;
    const target = id === current.id ? current : await repository.findById(id);
    if (!target || target.get(PRINCIPAL) !== current.get(PRINCIPAL)) {
      res.status(404).json({ error: 'no such session of yours', path: '' });
      return;
    }
    if (target === current) await req.session.invalidate();
    else await repository.deleteById(id);
    res.status(204).end();
  });

  app.use((_req, res) => {
    res.status(404).json({ error: 'not found', path: '' });
  });
  app.use(demoErrorHandler);
  app.use(sessionErrorHandler());
  app.use(lastErrorHandler);
  return app;
}

/** The caller's session when it has logged in; otherwise answers 401 and resolves null. */
async function loggedIn(req: Request, res: Response): Promise<AppSession | null> {
  const session = await req.session.find();
  if (session?.get(PRINCIPAL) !== undefined) return session;
  res.status(401).json({ error: 'log in first (POST /api/login)', path: '' });
  return null;
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
  // Session conflicts (409, 410, and 403 for a login past the session limit) are the session error handler's.
  if (err instanceof SessionConflictError) return next(err);
  if (err instanceof InvalidAttributeError) {
    res.status(err.status).json({ error: err.message, path: err.path });
    return;
  }
  const status = (err as { status?: unknown; statusCode?: unknown } | null)?.status ?? (err as { statusCode?: unknown } | null)?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    res.status(status).json({ error: err instanceof Error ? err.message : 'bad request', path: '' });
    return;
  }
  next(err);
}

/**
 * Whatever is left is logged and answered in JSON, never with Express's HTML page and its stack
 * trace: a store failure outside `req.session` (listing, revoking) is a 503 like the session's own,
 * anything else a 500 that says nothing of its cause.
 */
function lastErrorHandler(err: unknown, req: Request, res: Response, next: NextFunction): void {
  if (res.headersSent) return next(err);
  console.error(`sessiongen demo: ${req.method} ${req.originalUrl} failed:`, err);
  if (err instanceof SessionStoreError) {
    res.status(503).set('Cache-Control', 'no-store').json({ error: 'session store unavailable', status: 503 });
    return;
  }
  res.status(500).json({ error: 'internal error', path: '' });
}
