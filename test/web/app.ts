import express from 'express';
import { SessionRepository, type RepositoryOptions } from '../../runtime/core/repository.js';
import type { SessionIdResolver } from '../../runtime/web/id-resolver.js';
import { sessionErrorHandler, sessionMiddleware } from '../../runtime/web/express.js';
import { fixtureDescriptor, type FixtureAttributes } from './fixture-descriptor.js';
import { RecordingStore } from './helpers.js';
import type { Session } from '../../runtime/core/session.js';
import type { RequestSession } from '../../runtime/web/request-session.js';

/** The fixture's typed per-request session, whatever session type the app-wide register names. */
export const sessionOf = (req: express.Request) => req.session as unknown as RequestSession<Session<FixtureAttributes>>;

export interface TestAppOptions {
  resolver?: SessionIdResolver;
  repository?: RepositoryOptions;
  storeErrorStatus?: number;
}

/** The Express app the socket tests drive, over a {@link RecordingStore}. */
export function makeApp(options: TestAppOptions = {}) {
  const store = new RecordingStore();
  const repository = new SessionRepository<FixtureAttributes>(fixtureDescriptor, store, options.repository);
  const logged: unknown[] = [];
  const app = express();
  app.set('trust proxy', false);
  app.use(
    sessionMiddleware({
      repository,
      resolver: options.resolver,
      storeErrorStatus: options.storeErrorStatus,
      logger: (_message, error) => logged.push(error),
    }),
  );

  app.get('/plain', (_req, res) => {
    res.type('text').send('plain');
  });

  app.get('/session', async (req, res) => {
    const session = await sessionOf(req).find();
    res.json(
      session
        ? { id: session.id, counter: session.get('counter') ?? null, attributes: session.attributesSnapshot() }
        : { id: null },
    );
  });

  app.post('/counter', async (req, res) => {
    const session = await sessionOf(req).get();
    const counter = ((session.get('counter') as number | undefined) ?? 0) + 1;
    session.set('counter', counter);
    res.json({ id: session.id, counter });
  });

  app.post('/login', async (req, res) => {
    const session = await sessionOf(req).get();
    session.set('principalName', String(req.query.user ?? 'alice'));
    const before = session.id;
    const id = await sessionOf(req).changeSessionId();
    res.json({ before, id });
  });

  app.post('/logout', async (req, res) => {
    await sessionOf(req).invalidate();
    res.status(204).end();
  });

  app.post('/logout-and-new', async (req, res) => {
    await sessionOf(req).invalidate();
    const session = await sessionOf(req).get();
    res.json({ id: session.id, counter: session.get('counter') ?? null });
  });

  app.post('/redirect', async (req, res) => {
    const session = await sessionOf(req).get();
    session.set('counter', 42);
    res.redirect('/done');
  });

  app.put('/draft/:n', async (req, res) => {
    const session = await sessionOf(req).get();
    session.set(`draft:${req.params.n}`, `text ${req.params.n}`);
    res.status(204).end();
  });

  app.post('/app-cookie', async (req, res) => {
    const session = await sessionOf(req).get();
    session.set('counter', 1);
    res.cookie('theme', 'dark');
    if (req.query.writeHead === 'object') {
      res.writeHead(200, { 'Content-Type': 'text/plain', 'Set-Cookie': ['lang=en'] });
      res.end('ok');
    } else if (req.query.writeHead === 'array') {
      res.writeHead(200, ['Content-Type', 'text/plain', 'Set-Cookie', 'lang=en', 'Set-Cookie', 'tz=utc']);
      res.end('ok');
    } else {
      res.type('text').send('ok');
    }
  });

  app.post('/stream', async (req, res) => {
    const session = await sessionOf(req).get();
    session.set('counter', 7);
    res.setHeader('Content-Type', 'text/plain');
    res.write('a');
    res.write('b');
    res.flushHeaders();
    res.end('c');
  });

  // Touches the session only after the headers went out: too late to save before them.
  app.get('/late', async (req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/plain' });
    res.write('headers sent;');
    const created = await sessionOf(req).get().then(() => 'created', (error: Error) => error.message);
    const found = await sessionOf(req).find();
    res.end(` get: ${created}; find: ${found === null ? 'null' : found.id}`);
  });

  app.use(sessionErrorHandler());
  return { app, store, repository, logged };
}
