/**
 * At most N sessions per principal (`x-sessiongen.maxSessionsPerPrincipal`), enforced by the
 * repository on every store through the store SPI alone (index reads, writes, deletes): no store
 * needs a lock or a transaction of its own, and the guarantee holds with any number of processes
 * logging the same principal in at once.
 *
 * A *login* is a save that gives a session a principal (its principal index value changes to a
 * value, or a new session is saved with one). Both policies rely on one property every store has:
 * a read of the principal index that starts after a write completed sees that write (unless the
 * session was deleted since).
 *
 * ## end-least-recently-used (the default)
 *
 * Every login, after its own save, reads the principal's live sessions and ends all but the first
 * N in one total order, most recent first: `lastAccessedTime`, then `creationTime`, then the id
 * ({@link mostRecentFirst}). Why 20 concurrent logins leave exactly N (when no session's
 * `lastAccessedTime` changes while they run):
 * - *Never more than N.* Take the login whose read comes last. Every other login's save completed
 *   before that login's own read began (each save precedes its own read, which precedes the last
 *   read), so the last read sees every session still alive and ends all but N of them.
 * - *Never fewer than N.* Let U be every session of the principal, and T the first N of U in the
 *   order. A login ends a session x only when its view holds N sessions before x; those are in U,
 *   so x is not in T. No login ends a member of T, so T survives.
 * Every evictor thus converges on the same N, whatever the interleaving. If a request refreshes an
 * older session's `lastAccessedTime` while logins race, an evictor with an older view may end one
 * session more (at most N stay either way).
 *
 * ## refuse
 *
 * A refused login must change nothing, so nothing of the login is written before it is admitted.
 * Admission writes a *claim* first: a short-lived record in the principal's index marked with the
 * reserved entry `#claim`, never returned as a session. Then it reads the principal's index:
 * - E established sessions (not claims, not the session logging in) and C claims (its own included).
 * - E ≥ N: refused, for certain (established sessions never give way). The claim is deleted.
 * - E + C ≤ N: admitted. The login is saved, and only then is the claim deleted, so that from the
 *   claim's write until the claim's deletion the login is always visible, as a claim or a session.
 * - Otherwise (claims contend): the earliest claims that would fit (by claim time, then id) stay
 *   and read again shortly; the others are deleted, and their logins, holding no claim, read the
 *   index after a random, growing pause until it shows room (E + C < N), and only then claim
 *   again. Past {@link ADMISSION_TIME_MS} a login still contending is refused.
 * Why never more than N: suppose N+1 admitted logins were alive together, and take the one (L)
 * whose admitting claim was written last. Every other one's claim was written before L's, so L's
 * read saw each of them, as a claim or (once saved) as a session: E + C ≥ N + 1, and L would not
 * have been admitted. (This needs nothing of the waiting order, which only decides who gets in
 * first.) The earliest claims get in as soon as the others have stepped back, and the rest then
 * find E = N: 20 concurrent logins leave exactly N.
 */
import type { IndexDescriptor } from './descriptor.js';
import type { SessionEndDetail, SessionEventType } from './events.js';
import { TooManySessionsError } from './errors.js';
import type { SessionIdGenerator } from './ids.js';
import { RESERVED_ATTRIBUTES } from './reserved.js';
import type { SessionRecord, SessionStore, SessionWrite } from './store.js';

/** How long a claim lives if its login never deletes it (a process that died): seconds. */
export const CLAIM_TIMEOUT_S = 10;
/** How long admission keeps trying while claims contend before it refuses: ms. */
export const ADMISSION_TIME_MS = 5_000;

/** What the limit needs from its repository. */
export interface PrincipalLimitContext {
  readonly store: SessionStore;
  readonly index: IndexDescriptor;
  /** Every index of the schema (a claim has no value for the others). */
  readonly indexes: readonly IndexDescriptor[];
  readonly ids: SessionIdGenerator;
  readonly clock: () => number;
  /** The principal's live sessions and claims (expired ones left out), attributes reduced to the reserved entries. */
  liveRecordsOf(principal: string): Promise<SessionRecord[]>;
  emit(type: SessionEventType, sessionId: string, detail: SessionEndDetail): void;
}

/** Whether a stored record is a login's claim rather than a session. */
export function isClaim(record: SessionRecord): boolean {
  return record.attributes[RESERVED_ATTRIBUTES.claim] !== undefined;
}

/** The one total order of the principal's sessions, most recently used first. */
export function mostRecentFirst(a: SessionRecord, b: SessionRecord): number {
  return b.lastAccessedTime - a.lastAccessedTime || b.creationTime - a.creationTime || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * After a login's save: ends every session of the principal past the first `max` in
 * {@link mostRecentFirst} order, each with a `deleted` event (`evicted`). Returns the ids it ended.
 */
export async function endLeastRecentlyUsed(context: PrincipalLimitContext, principal: string, max: number): Promise<string[]> {
  const sessions = (await context.liveRecordsOf(principal)).filter((record) => !isClaim(record));
  if (sessions.length <= max) return [];
  const ended: string[] = [];
  for (const victim of sessions.sort(mostRecentFirst).slice(max)) {
    if (await context.store.delete(victim.id)) {
      ended.push(victim.id);
      context.emit('deleted', victim.id, { endReason: 'evicted' });
    }
  }
  return ended;
}

/**
 * Before a login's save: admits it (resolving with the function that withdraws its claim, to call
 * once the login is saved or failed) or throws {@link TooManySessionsError}, having written nothing
 * that lasts. `own` names the session logging in (its id before and after the login).
 */
export async function admitLogin(
  context: PrincipalLimitContext,
  principal: string,
  max: number,
  own: readonly string[],
): Promise<() => Promise<void>> {
  const started = context.clock();
  for (let attempt = 0; ; attempt++) {
    const claim = context.ids.generate();
    await context.store.write(claimWrite(context, claim, principal));
    const withdraw = async () => void (await context.store.delete(claim));
    for (;;) {
      let view: { established: number; claims: SessionRecord[] };
      try {
        view = viewOf(await context.liveRecordsOf(principal), own);
      } catch (err) {
        await withdraw().catch(() => undefined);
        throw err;
      }
      if (view.established >= max) {
        await withdraw();
        throw new TooManySessionsError(max);
      }
      const rank = view.claims.findIndex((record) => record.id === claim);
      if (rank >= 0 && view.established + view.claims.length <= max) return withdraw;
      // Claims contend. The earliest ones that would fit keep theirs and look again shortly; the
      // others step back. (Only the admission rule above matters for the guarantee: this is for speed.)
      const timedOut = context.clock() - started > ADMISSION_TIME_MS;
      if (rank >= 0 && rank < max - view.established && !timedOut) {
        await sleep(2 + Math.random() * 8);
        continue;
      }
      await withdraw();
      if (timedOut) throw new TooManySessionsError(max);
      break;
    }
    await waitForRoom(context, principal, max, own, started, attempt);
  }
}

/**
 * A login that stepped back waits, holding no claim, until the principal's index shows room
 * (fewer sessions and claims than the limit) before it claims again, so the logins that stepped
 * back stop crowding out the earliest claims (on a slow store, claims written on a timer alone
 * could keep every login contending until all were refused). Refuses when the established
 * sessions alone fill the limit, or when admission has taken too long.
 */
async function waitForRoom(
  context: PrincipalLimitContext,
  principal: string,
  max: number,
  own: readonly string[],
  started: number,
  attempt: number,
): Promise<void> {
  for (let look = 0; ; look++) {
    await sleep(Math.random() * Math.min(320, 5 * 2 ** (attempt + look)));
    const view = viewOf(await context.liveRecordsOf(principal), own);
    if (view.established >= max || context.clock() - started > ADMISSION_TIME_MS) throw new TooManySessionsError(max);
    if (view.established + view.claims.length < max) return;
  }
}

/** The principal's established sessions (not claims, not the session logging in) and its claims, earliest first. */
function viewOf(records: SessionRecord[], own: readonly string[]): { established: number; claims: SessionRecord[] } {
  const claims = records.filter(isClaim).sort((a, b) => a.creationTime - b.creationTime || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const established = records.filter((record) => !isClaim(record) && !own.includes(record.id)).length;
  return { established, claims };
}

/** A claim: a new record holding only the principal and `#claim`, expiring after {@link CLAIM_TIMEOUT_S}. */
function claimWrite(context: PrincipalLimitContext, id: string, principal: string): SessionWrite {
  const now = context.clock();
  const index = context.index;
  return {
    id,
    isNew: true,
    creationTime: now,
    lastAccessedTime: now,
    maxInactiveInterval: CLAIM_TIMEOUT_S,
    expiresAt: now + CLAIM_TIMEOUT_S * 1000,
    set: { [index.attribute]: principal, [RESERVED_ATTRIBUTES.claim]: now },
    removed: [],
    indexes: Object.fromEntries(context.indexes.map((each) => [each.name, each.name === index.name ? principal : null])),
    changedIndexes: [index.name],
    now,
  };
}
