import type { AttributeModel, PatternAttributeModel } from '../../model/model.js';
import { pascalCase } from '../../model/names.js';

/** The exported name of a named attribute's validator (`validatePrincipalName`). */
export function attributeValidatorName(attribute: AttributeModel): string {
  return `validate${pascalCase(attribute.name)}`;
}

/** The exported name of a pattern family's validator (`validateDraftAttribute`). */
export function patternValidatorName(family: PatternAttributeModel): string {
  return `validate${pascalCase(family.prefix)}Attribute`;
}

/** The exported name of the open attributes' validator (for names the schema does not declare). */
export const OPEN_ATTRIBUTES_VALIDATOR_NAME = 'validateOpenAttribute';
