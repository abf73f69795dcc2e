import type { SessionDescriptor, SpringNames } from '../../core/descriptor.js';

/** The descriptor's Spring settings; a schema that does not choose Spring's layout cannot open a Spring store. */
export function springNamesOf(descriptor: SessionDescriptor, store: string): SpringNames {
  if (!descriptor.spring) {
    throw new TypeError(
      `${store}: the ${descriptor.name} schema does not share its sessions with Spring Session; add "compat": "spring" to its x-sessiongen settings and run sessiongen generate`,
    );
  }
  return descriptor.spring;
}

/** A Spring layout holds a value the Java side wrote in a form sessiongen cannot read (its session times). */
export class SpringLayoutError extends Error {
  override readonly name = 'SpringLayoutError';
}
