/**
 * `invalid-attribute`: a session was loaded with a stored value the schema rejects (planted by
 * hand, written by an older schema, or by another app); the session does not expose it.
 */
export type SessionEventType = 'created' | 'deleted' | 'expired' | 'invalid-attribute';

/**
 * Why a session ended, on `deleted` and `expired` events:
 * - `idle`: its idle timeout (`maxInactiveInterval`) passed without a request (`expired`);
 * - `absolute`: its absolute timeout (`absoluteTimeout`) passed, however active it was (`expired`);
 * - `evicted`: a newer login of its principal ended it (`maxSessionsPerPrincipal`, `deleted`);
 * - `revoked`: ended on request by something other than its own user's logout: `deleteById`,
 *   `endSessionsOf` ("sign out everywhere"), an administrator (`deleted`);
 * - `logout`: its own user logged out (`RequestSession.invalidate`, `deleted`).
 */
export type SessionEndReason = 'idle' | 'absolute' | 'evicted' | 'revoked' | 'logout';

export interface SessionEvent {
  readonly type: SessionEventType;
  readonly sessionId: string;
  /** `invalid-attribute` only: the attribute's name. */
  readonly attribute?: string;
  /** `invalid-attribute` only: where in the value and why it was rejected (`/0/quantity: must be >= 1`). */
  readonly reason?: string;
  /**
   * `deleted` and `expired`: why the session ended. Always set on `deleted`; on `expired`, set
   * where the store reports the ended session's times (memory, SQL, Hazelcast), absent where it
   * reports only the id (Redis keyspace notifications, when an absolute timeout is configured).
   */
  readonly endReason?: SessionEndReason;
}

/** What an `invalid-attribute` event carries besides its type and session id. */
export interface InvalidAttributeDetail {
  readonly attribute: string;
  readonly reason: string;
}

/** What a `deleted` or `expired` event carries besides its type and session id. */
export interface SessionEndDetail {
  readonly endReason: SessionEndReason;
}

export type SessionEventListener = (event: SessionEvent) => void;

/** A small typed emitter; a listener that throws is reported on stderr and does not stop the others. */
export class SessionEvents {
  private readonly listeners = new Map<SessionEventType, Set<SessionEventListener>>();

  on(type: SessionEventType, listener: SessionEventListener): () => void {
    let set = this.listeners.get(type);
    if (!set) this.listeners.set(type, (set = new Set()));
    set.add(listener);
    return () => set!.delete(listener);
  }

  emit(type: SessionEventType, sessionId: string, detail?: InvalidAttributeDetail | SessionEndDetail): void {
    const set = this.listeners.get(type);
    if (!set) return;
    for (const listener of [...set]) {
      try {
        listener(detail ? { type, sessionId, ...detail } : { type, sessionId });
      } catch (err) {
        console.error(`sessiongen: a ${type} listener threw`, err);
      }
    }
  }
}
