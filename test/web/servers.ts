/**
 * One small app, the same routes, on each integration (Express middleware, Fastify plugin, Fetch
 * wrapper under Hono on @hono/node-server), listening on an ephemeral loopback port.
 */
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import express from 'express';
import Fastify, { type FastifyRequest } from 'fastify';
import { Hono } from 'hono';
import type { RequestSession, SessionIdResolver } from '@sessiongen/runtime';
import { sessionErrorHandler, sessionMiddleware } from '@sessiongen/runtime/express';
import { fastifySession } from '@sessiongen/runtime/fastify';
import { withSession } from '@sessiongen/runtime/fetch';
import type { AppSession, AppSessionRepository } from '../../generated/index.js';

export type Integration = 'express' | 'fastify' | 'hono';
export const INTEGRATIONS: Integration[] = ['express', 'fastify', 'hono'];

export interface ServerOptions {
  resolver?: SessionIdResolver;
  storeErrorStatus?: number;
}

export interface RunningServer {
  url: string;
  port: number;
  /** Store failures the integration reported. */
  logged: unknown[];
  close(): Promise<void>;
  /** In-process requests where the integration has them (Fastify inject, Fetch call); otherwise over the socket. */
  request(method: string, path: string, headers: Record<string, string>): Promise<{ status: number; body: string; setCookie: string[]; headers: Record<string, string> }>;
}

/**
 * The routes, written once against a per-request session:
 * - GET /plain (never touches it), GET /session, POST /counter (lastLoginAt += 1),
 * - POST /login?user= (principalName, regenerate), POST /logout, POST /fresh (regenerate without data),
 * - POST /redirect (sets locale, 302), GET /sessions?principalName=,
 * - POST /revoked-midway (loads the session, deletes it through the repository, then changes it),
 * - POST /draft?name=&size= (sets `draft:<name>` to `size` characters; a rejection is thrown out of the route).
 */
interface Reply {
  status: number;
  json?: unknown;
  text?: string;
  location?: string;
}

async function route(method: string, path: string, query: URLSearchParams, rs: RequestSession<AppSession>, repository: AppSessionRepository): Promise<Reply> {
  switch (`${method} ${path}`) {
    case 'GET /plain':
      return { status: 200, text: 'plain' };
    case 'GET /session': {
      const s = await rs.find();
      return { status: 200, json: s ? { id: s.id, attributes: s.attributesSnapshot() } : { id: null } };
    }
    case 'POST /counter': {
      const s = await rs.get();
      const counter = (s.get('lastLoginAt') ?? 0) + 1;
      s.set('lastLoginAt', counter);
      return { status: 200, json: { id: s.id, counter } };
    }
    case 'POST /login': {
      const s = await rs.get();
      s.set('principalName', query.get('user') ?? 'alice');
      const before = s.id;
      const id = await rs.regenerate();
      return { status: 200, json: { before, id } };
    }
    case 'POST /fresh': {
      const before = (await rs.get()).id;
      const id = await rs.regenerate({ keepData: false });
      const s = await rs.get();
      return { status: 200, json: { before, id, attributes: s.attributesSnapshot() } };
    }
    case 'POST /logout':
      await rs.invalidate();
      return { status: 204 };
    case 'POST /redirect': {
      const s = await rs.get();
      s.set('locale', 'fr-FR');
      return { status: 302, location: '/done' };
    }
    case 'POST /revoked-midway': {
      const s = await rs.get();
      await repository.deleteById(s.id);
      s.set('locale', 'de-DE');
      return { status: 200, json: { id: s.id } };
    }
    case 'POST /draft': {
      const s = await rs.get();
      s.set(`draft:${query.get('name')}`, 'd'.repeat(Number(query.get('size'))));
      return { status: 204 };
    }
    case 'GET /sessions': {
      const found = await repository.findByPrincipalName(query.get('principalName') ?? '');
      return { status: 200, json: [...found.keys()].sort() };
    }
    default:
      return { status: 404, json: { error: 'not found' } };
  }
}

export async function startServer(integration: Integration, repository: AppSessionRepository, options: ServerOptions = {}): Promise<RunningServer> {
  const logged: unknown[] = [];
  const logger = (_message: string, error: unknown) => void logged.push(error);
  if (integration === 'express') {
    const app = express();
    app.use(sessionMiddleware({ repository, resolver: options.resolver, storeErrorStatus: options.storeErrorStatus, logger }));
    app.use(async (req, res, next) => {
      try {
        const url = new URL(req.url, 'http://x');
        const reply = await route(req.method, url.pathname, url.searchParams, req.session as RequestSession<AppSession>, repository);
        if (reply.location) res.redirect(reply.status, reply.location);
        else if (reply.json !== undefined) res.status(reply.status).json(reply.json);
        else if (reply.text !== undefined) res.status(reply.status).type('text').send(reply.text);
        else res.status(reply.status).end();
      } catch (err) {
        next(err);
      }
    });
    app.use(sessionErrorHandler());
    const server = app.listen(0, '127.0.0.1');
    await new Promise<void>((resolve) => server.once('listening', resolve));
    return overSocket(server, logged);
  }
  if (integration === 'fastify') {
    const app = Fastify();
    await app.register(fastifySession, { repository, resolver: options.resolver, storeErrorStatus: options.storeErrorStatus, logger });
    const handler = async (request: FastifyRequest, reply: import('fastify').FastifyReply) => {
      const url = new URL(request.url, 'http://x');
      const out = await route(request.method, url.pathname, url.searchParams, request.session as RequestSession<AppSession>, repository);
      reply.code(out.status);
      if (out.location) return reply.redirect(out.location, out.status);
      if (out.json !== undefined) return reply.send(out.json);
      if (out.text !== undefined) return reply.type('text/plain').send(out.text);
      return reply.send();
    };
    app.all('/*', handler);
    await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = app.server.address() as AddressInfo;
    return {
      url: `http://127.0.0.1:${port}`,
      port,
      logged,
      close: () => app.close(),
      request: async (method, path, headers) => {
        const r = await app.inject({ method: method as 'GET', url: path, headers });
        const setCookie = ([] as string[]).concat((r.headers['set-cookie'] as string | string[] | undefined) ?? []);
        return { status: r.statusCode, body: r.body, setCookie, headers: flat(r.headers) };
      },
    };
  }
  const app = new Hono<{ Bindings: { session: RequestSession<AppSession> } }>();
  app.all('*', async (c) => {
    const url = new URL(c.req.url);
    const out = await route(c.req.method, url.pathname, url.searchParams, c.env.session, repository);
    if (out.location) return c.redirect(out.location, 302);
    if (out.json !== undefined) return c.json(out.json, out.status as 200);
    if (out.text !== undefined) return c.text(out.text, out.status as 200);
    return c.body(null, out.status as 204);
  });
  const fetchHandler = withSession(
    { repository, resolver: options.resolver, storeErrorStatus: options.storeErrorStatus, logger },
    (request, session) => app.fetch(request, { session }),
  );
  const server = serve({ fetch: fetchHandler, port: 0, hostname: '127.0.0.1' });
  await new Promise<void>((resolve) => (server.listening ? resolve() : server.once('listening', resolve)));
  const running = overSocket(server as unknown as import('node:http').Server, logged);
  running.request = async (method, path, headers) => {
    const response = await fetchHandler(new Request(`http://127.0.0.1${path}`, { method, headers }));
    return { status: response.status, body: await response.text(), setCookie: response.headers.getSetCookie(), headers: Object.fromEntries(response.headers) };
  };
  return running;
}

function overSocket(server: import('node:http').Server, logged: unknown[]): RunningServer {
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    port,
    logged,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
    request: async (method, path, headers) => {
      const response = await fetch(url + path, { method, headers, redirect: 'manual' });
      return { status: response.status, body: await response.text(), setCookie: response.headers.getSetCookie(), headers: Object.fromEntries(response.headers) };
    },
  };
}

function flat(headers: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(headers)) if (value !== undefined) out[key] = String(value);
  return out;
}
