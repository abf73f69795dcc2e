import type { AttributeValidator, SessionDescriptor } from '@sessiongen/runtime';
import { appSessionDescriptor } from '../../generated/index.js';

/** Accepts any value: open attributes as `"additionalProperties": {}` leaves them. */
const anyValue: AttributeValidator = () => true;

/**
 * The generated descriptor with open attributes, as a schema with `additionalProperties: {}` has
 * them: every conformance subject builds its store with it, so the suite's open-attribute tests run
 * on every store (the declared attributes, indexes and store names are the generated ones).
 */
export const openAppSessionDescriptor: SessionDescriptor = { ...appSessionDescriptor, openAttributes: { validate: anyValue } };
