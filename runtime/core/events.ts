/**
 * `invalid-attribute`: a session was loaded with a stored value the schema rejects (planted by
 * hand, written by an older schema, or by another app); the session does not expose it.
 */
export type SessionEventType = 'created' | 'deleted' | 'expired' | 'invalid-attribute';

export interface SessionEvent {
  readonly type: SessionEventType;
  readonly sessionId: string;
  /** `invalid-attribute` only: the attribute's name. */
  readonly attribute?: string;
  /** `invalid-attribute` only: where in the value and why it was rejected (`/0/quantity: must be >= 1`). */
  readonly reason?: string;
}

/** What an `invalid-attribute` event carries besides its type and session id. */
export interface InvalidAttributeDetail {
  readonly attribute: string;
  readonly reason: string;
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

  emit(type: SessionEventType, sessionId: string, detail?: InvalidAttributeDetail): void {
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
