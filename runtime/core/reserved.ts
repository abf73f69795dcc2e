/**
 * The repository's own entries in a stored session's attributes. Their names start with `#`, which
 * no attribute name may (`attributeNameProblem`), so they never meet an app's attribute; a store
 * keeps them like any attribute, and the repository takes them out before the app sees a session.
 */
export const RESERVED_ATTRIBUTES = {
  /** The session's device (`SessionDevice`), where the schema keeps devices. */
  device: '#device',
  /**
   * Marks a login's claim on a place among its principal's sessions (`maxSessionsPerPrincipal`
   * with `refuse`): a short-lived record that is never a session (see principal-limit.ts).
   */
  claim: '#claim',
} as const;

/** The reserved names a session summary carries. */
export const SUMMARY_ATTRIBUTES: readonly string[] = [RESERVED_ATTRIBUTES.device, RESERVED_ATTRIBUTES.claim];

/** Whether a stored attribute name is one of the repository's reserved entries. */
export function isReservedAttribute(name: string): boolean {
  return name === RESERVED_ATTRIBUTES.device || name === RESERVED_ATTRIBUTES.claim;
}
