// An express-session app on a sessiongen store: express-session's own API and types, with
// `store:` being the one line that changed. Compiles under strict with no casts.
import express from 'express';
import session from 'express-session';
import knex from 'knex';
import { migrateSqlSchema, SqlSessionStore } from '@sessiongen/runtime/sql';
import { createExpressSessionStore } from '@sessiongen/runtime/express-session';
import { ShopSessionRepository, shopSessionDescriptor } from './generated/index.js';
import { shopSessionSqlMigrations } from './generated/sql/migrations/index.js';

declare module 'express-session' {
  interface SessionData {
    principalName: string;
    views: number;
  }
}

const db = knex({ client: 'better-sqlite3', connection: { filename: ':memory:' }, useNullAsDefault: true });
await migrateSqlSchema(db, shopSessionSqlMigrations);
const repository = new ShopSessionRepository(new SqlSessionStore(shopSessionDescriptor, db));
repository.on('created', (event) => console.log('created', event.sessionId));

const store = createExpressSessionStore(session, repository);
const asExpressSessionStore: session.Store = store;

const app = express();
app.use(
  session({
    secret: 'an app secret of at least thirty-two characters',
    resave: false,
    saveUninitialized: false,
    cookie: { maxAge: 30 * 60_000 },
    store,
    // UUIDs: these sessions are also found by the repository (findById) and sessiongen's integrations.
    genid: () => crypto.randomUUID(),
  }),
);

app.get('/views', (req, res) => {
  req.session.views = (req.session.views ?? 0) + 1;
  res.json({ id: req.sessionID, views: req.session.views });
});

app.post('/login', (req, res, next) => {
  req.session.regenerate((err) => {
    if (err) return next(err);
    req.session.principalName = 'alice';
    res.status(204).end();
  });
});

app.post('/logout', (req, res, next) => {
  req.session.destroy((err) => (err ? next(err) : res.status(204).end()));
});

app.get('/admin/sessions', async (_req, res) => {
  const ids: string[] = await store.ids();
  const count: number = await store.length();
  const alices = await repository.findByPrincipalName('alice');
  res.json({ ids, count, alices: [...alices.keys()], kind: asExpressSessionStore instanceof session.Store });
});

store.get(crypto.randomUUID(), (err, data) => {
  if (err) throw err;
  console.log(data?.views, data?.cookie.originalMaxAge);
});

export { app };
