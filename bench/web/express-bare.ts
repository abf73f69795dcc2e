/** The ceiling: Express with no session at all, the same routes, bodies and statuses. */
import express from 'express';
import { env, ready } from './common.js';

const app = express();
app.disable('x-powered-by');
app.disable('etag');
app.use(express.json({ strict: false }));
app.post('/login', (req, res) => {
  res.json({ principalName: req.body.principalName });
});
app.put('/session/attributes/:name', (req, res) => {
  if (req.body === undefined) return void res.status(400).end();
  res.status(204).end();
});
const server = app.listen(env.port, '127.0.0.1', () => ready(server.address()));
