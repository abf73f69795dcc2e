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
app.use(
  session({
    store: new RedisStore({ client, prefix: `${process.env.BENCH_PREFIX ?? 'bench'}:connect-redis:` }),
    secret: 'sessiongen benchmark secret, not a real one',
    resave: false,
    saveUninitialized: false,
  }),
);
app.get('/hit', (req, res) => {
  req.session.n = (req.session.n ?? 0) + 1;
  res.json({ n: req.session.n });
});
const server = app.listen(port, '127.0.0.1', () => process.stdout.write(`ready ${server.address().port}\n`));
