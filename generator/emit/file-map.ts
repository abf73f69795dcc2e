import type { SessionModel } from '../model/model.js';

/** One emitted file: a path relative to the output folder, and its text (banner added by the pipeline). */
export interface EmittedFile {
  path: string;
  content: string;
}

/** What every emitter receives. */
export interface EmitContext {
  model: SessionModel;
  /** The module generated TypeScript imports the runtime from (`@sessiongen/runtime`; store-specific files add the store's subpath, such as `/sql`). */
  runtimeImport: string;
  /**
   * What the output folder held before this run (path → content), for emitters whose output
   * depends on its own history (the SQL migrations read their earlier snapshots from it).
   */
  previous?: ReadonlyMap<string, string>;
}

/** One emitter per output kind; pure: model in, files out, no I/O. */
export interface Emitter {
  readonly name: string;
  emit(context: EmitContext): EmittedFile[];
}
