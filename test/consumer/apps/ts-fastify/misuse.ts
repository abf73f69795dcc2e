// Each line marked `expect-error TSnnnn` must fail with that code; nothing else may fail.
import Fastify from 'fastify';
import { fastifySession } from '@sessiongen/runtime/fastify';

const app = Fastify();
await app.register(fastifySession, {}); // expect-error TS2769
app.get('/', async (request) => {
  const session = await request.session.get();
  session.set('views', 'many'); // expect-error TS2345
  const roles: number[] | undefined = session.get('roles'); // expect-error TS2322
  return { roles };
});
