export type SessionEventType = 'created' | 'deleted' | 'expired';

export interface SessionEvent {
  readonly type: SessionEventType;
  readonly sessionId: string;
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

  emit(type: SessionEventType, sessionId: string): void {
    const set = this.listeners.get(type);
    if (!set) return;
    for (const listener of [...set]) {
      try {
        listener({ type, sessionId });
      } catch (err) {
        console.error(`sessiongen: a ${type} listener threw`, err);
      }
    }
  }
}
