// A plain-JavaScript app as the README's "Using it" shows it: no TypeScript anywhere. The
// generated code comes from `npx sessiongen generate --lang js`. SESSION_STORE=memory | sqlite.
import express from 'express';
import { MemorySessionStore } from '@sessiongen/runtime';
import { sessionMiddleware } from '@sessiongen/runtime/express';
import { AppSessionRepository, appSessionDescriptor } from './generated/index.js';
import { appSessionSqlMigrations } from './generated/sql/migrations/index.js';

async function openStore() {
  if (process.env.SESSION_STORE !== 'sqlite') return new MemorySessionStore(appSessionDescriptor);
  const { default: knex } = await import('knex');
  const { SqlSessionStore, migrateSqlSchema } = await import('@sessiongen/runtime/sql');
  const db = knex({ client: 'better-sqlite3', connection: { filename: 'sessions.db' }, useNullAsDefault: true });
  await migrateSqlSchema(db, appSessionSqlMigrations);
  return new SqlSessionStore(appSessionDescriptor, db);
}

const repository = new AppSessionRepository(await openStore());
const app = express();
app.use(express.json());
app.use(sessionMiddleware({ repository }));

app.put('/cart', async (req, res) => {
  const session = await req.session.get(); // loads the requested session or makes a new one
  session.set('cart', req.body); // validated against the schema: a bad value throws, nothing is written
  res.sendStatus(204); // the save lands before the response leaves
});

app.post('/login', async (req, res) => {
  const session = await req.session.get();
  session.set('principalName', req.body.name);
  res.json({ id: await req.session.changeSessionId() }); // a new id on login (fixation defence)
});

app.get('/me', async (req, res) => {
  const session = await req.session.find(); // loads without creating
  res.json(session ? { principalName: session.get('principalName') ?? null, cart: session.get('cart') ?? [], locale: session.get('locale') } : null);
});

app.get('/sessions/:name', async (req, res) => {
  const sessions = await repository.findByPrincipalName(req.params.name);
  res.json([...sessions.keys()]);
});

app.post('/logout', async (req, res) => {
  await req.session.invalidate(); // deletes it and clears the cookie
  res.sendStatus(204);
});

app.use((err, req, res, next) => {
  res.status(err?.name === 'InvalidAttributeError' ? 400 : 500).json({ error: err?.name === 'InvalidAttributeError' ? err.message : 'internal error', path: err?.path });
});

const server = app.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  console.log(`listening ${server.address().port}`);
});
