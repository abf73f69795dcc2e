// express-session + connect-redis (node-redis), what an Express app uses today. Plain JS: the
// express-session types declare a global req.session that clashes with sessiongen's in tsc.
import express from 'express';
import session from 'express-session';
import { RedisStore } from 'connect-redis';
import { createClient } from 'redis';

const port = Number(process.env.PORT ?? 0);
const client = createClient({ url: process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379/8' });
await client.connect();
const app = express();
app.disable('x-powered-by');
app.disable('etag');
app.use(express.json({ strict: false }));
app.use(
  session({
    store: new RedisStore({ client, prefix: `${process.env.BENCH_PREFIX ?? 'bench'}:connect-redis:` }),
    secret: 'sessiongen benchmark secret, not a real one',
    resave: false,
    saveUninitialized: false,
  }),
);
app.post('/login', (req, res, next) => {
  req.session.regenerate((err) => {
    if (err) return next(err);
    req.session.principalName = req.body.principalName;
    res.json({ principalName: req.body.principalName });
  });
});
app.put('/session/attributes/:name', (req, res) => {
  if (!req.session.principalName) return void res.status(401).end();
  req.session[req.params.name] = req.body;
  res.status(204).end();
});
app.get('/session/attributes/:name', (req, res) => {
  res.json(req.session[req.params.name] ?? null);
});
const server = app.listen(port, '127.0.0.1', () => process.stdout.write(`ready ${server.address().port}\n`));
// Exits normally when the load generator is done, so a `--cpu-prof` profile gets written.
process.once('SIGINT', () => process.exit(0));
