/** The Fastify ceiling: no session. */
import Fastify from 'fastify';
import { env, ready } from './common.js';

let n = 0;
const app = Fastify();
app.get('/hit', async () => ({ n: ++n }));
await app.listen({ port: env.port, host: '127.0.0.1' });
ready(app.server.address());
