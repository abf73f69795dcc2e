import { randomUUID } from 'node:crypto';

/** Makes and recognises session ids. Ids from outside are checked with `isValid` before any store sees them. */
export interface SessionIdGenerator {
  generate(): string;
  isValid(id: string): boolean;
}

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** UUID v4 from the CSPRNG (122 random bits), the form Spring Session uses. */
export const uuidSessionIdGenerator: SessionIdGenerator = {
  generate: () => randomUUID(),
  isValid: (id) => typeof id === 'string' && id.length === 36 && UUID_V4.test(id),
};
