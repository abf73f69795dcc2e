import type { SessionDescriptor } from '../../core/descriptor.js';

/**
 * Attribute names in Spring's layouts. Attributes keep their names, except the schema's principal:
 * Spring keeps the principal in the attribute named after its principal index
 * (`FindByIndexNameSessionRepository.PRINCIPAL_NAME_INDEX_NAME`), which its index resolver reads
 * and which a Java app sets at login, so sessiongen stores the principal under that name.
 */

/** `FindByIndexNameSessionRepository.PRINCIPAL_NAME_INDEX_NAME`: the principal index's name, and the attribute that holds the principal. */
export const SPRING_PRINCIPAL_NAME_INDEX_NAME = 'org.springframework.session.FindByIndexNameSessionRepository.PRINCIPAL_NAME_INDEX_NAME';

/** The attribute Spring Security keeps its `SecurityContext` in: a Java object, kept by sessiongen untouched. */
export const SPRING_SECURITY_CONTEXT = 'SPRING_SECURITY_CONTEXT';

/** Maps a schema's attribute names to the names Spring's layouts store them under, and back. */
export class SpringAttributeNames {
  /** The schema's principal attribute, if it has one. */
  readonly principal: string | undefined;

  constructor(descriptor: SessionDescriptor) {
    const index = descriptor.indexes.find((candidate) => candidate.name === descriptor.principalIndex);
    this.principal = index?.attribute;
  }

  /** The stored name of a schema attribute. */
  stored(name: string): string {
    if (name === this.principal) return SPRING_PRINCIPAL_NAME_INDEX_NAME;
    if (name === SPRING_PRINCIPAL_NAME_INDEX_NAME && this.principal !== undefined) {
      throw new RangeError(`'${SPRING_PRINCIPAL_NAME_INDEX_NAME}' holds the principal attribute '${this.principal}' in Spring's layout; set '${this.principal}' instead`);
    }
    return name;
  }

  /** The schema name of a stored attribute. */
  schema(stored: string): string {
    return stored === SPRING_PRINCIPAL_NAME_INDEX_NAME && this.principal !== undefined ? this.principal : stored;
  }
}
