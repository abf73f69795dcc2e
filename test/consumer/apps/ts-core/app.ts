// A TypeScript app on the core and the Express integration: typed sessions from the generated code.
import express from 'express';
import { MemorySessionStore, type SessionStore } from '@sessiongen/runtime';
import { sessionMiddleware } from '@sessiongen/runtime/express';
import { AppSessionRepository, appSessionDescriptor, type AppSession } from './generated/index.js';

declare module '@sessiongen/runtime' {
  interface SessionTypeRegister {
    session: AppSession;
  }
}

const store: SessionStore = new MemorySessionStore(appSessionDescriptor);
const repository = new AppSessionRepository(store);
const app = express();
app.use(sessionMiddleware({ repository }));
app.get('/', async (req, res) => {
  const session = await req.session.get();
  session.set('tenantId', 'acme');
  const locale: string = session.get('locale');
  const cart = session.get('cart') ?? [];
  res.json({ locale, items: cart.map((item) => item.sku) });
});
export const found: Promise<Map<string, AppSession>> = repository.findByPrincipalName('alice');
export default app;
