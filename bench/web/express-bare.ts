/** The ceiling: Express with no session at all, the same route shape. */
import express from 'express';
import { env, ready } from './common.js';

let n = 0;
const app = express();
app.disable('x-powered-by');
app.get('/hit', (_req, res) => {
  res.json({ n: ++n });
});
const server = app.listen(env.port, '127.0.0.1', () => ready(server.address()));
