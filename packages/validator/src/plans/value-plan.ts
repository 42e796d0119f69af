import type { ElementNode, TypeRef } from '@mes-fhir/profile-model';
import type { ValidationContext } from '../context.js';
import type { PrimitiveCheck } from '../rules/primitives.js';
import type { Limits } from '../rules/values.js';
import type { ElementLookup } from './element-lookup.js';

/** A rule of an element on its values, as data (the rules in `rules/` apply them). */
export type ValueRule =
  | { rule: 'fixed' | 'pattern'; value: unknown; /** written once, for the message */ json: string }
  | {
      rule: 'binding';
      strength: 'required' | 'extensible' | 'preferred';
      valueSet: string;
      /** Codes the element's own definition allows besides its value set (codesBesideBinding). */
      alsoAllowed?: readonly string[];
    }
  | { rule: 'limits'; limits: Limits };

/** One value rule as the walk calls it. */
export type ValueCheck = (ctx: ValidationContext, value: unknown, location: string) => void;

/** The rules on one element's values with one type, worked out once (the compiled part of the walk). */
export interface ValuePlan {
  type: TypeRef;
  /** For a choice: the type slice of this type (`value[x]:valueQuantity`), whose rules apply too. */
  typeSlice?: ElementNode;
  /** The rules on the value itself, in order: the element's fixed value and binding, its type slice's, then their limits. */
  valueRules: ValueRule[];
  /** The same rules as functions bound to the walker's rule objects, made on first use (see Walker.valueChecks). */
  valueChecks?: ValueCheck[];
  /** The FHIR type (an element typed System.String: its fhir-type extension). */
  code: string;
  primitive?: PrimitiveCheck;
  /** The text rules of strings and markdown (rules/text.ts), or the narrative's (rules/narrative.ts). */
  text?: 'string' | 'markdown' | 'xhtml';
  /** The id of a resource (checked as an `id`, whatever type the snapshot writes). */
  resourceId: boolean;
  /** The value is a resource (contained, a Bundle entry). */
  resource: boolean;
  /** A Quantity or a type derived from it: its UCUM code is checked. */
  quantity: boolean;
  /** An Attachment: its size is checked against its data (outside DocumentReference.content, where the document check does it). */
  attachment: boolean;
  /** The lookup of an object value's children (not of an extension, whose definition its url chooses), once known. */
  lookup?: ElementLookup;
}
