// Each line marked `expect-error TSnnnn` must fail with that code; nothing else may fail.
import express from 'express';
import session from 'express-session';
import { MemorySessionStore } from '@sessiongen/runtime';
import { createExpressSessionStore } from '@sessiongen/runtime/express-session';
import { ShopSessionRepository, shopSessionDescriptor } from './generated/index.js';

const repository = new ShopSessionRepository(new MemorySessionStore(shopSessionDescriptor));
createExpressSessionStore(express, repository); // expect-error TS2345
const store = createExpressSessionStore(session, repository);
store.set('id', { cookie: new session.Cookie(), views: 'many' }); // expect-error TS2322

const app = express();
app.get('/', async (req, res) => {
  // express-session's req.session: sessiongen's Express typing does not apply here.
  await req.session.get(); // expect-error TS2339
  req.session.views = 'many'; // expect-error TS2322
  res.end();
});
