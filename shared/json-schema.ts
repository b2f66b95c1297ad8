// Compiled JSON Schema validators (@cfworker/json-schema: runs on Workers, unlike ajv), cached by
// schema text because callers send the same schema again and again.
import { Validator, type Schema } from "@cfworker/json-schema";

const MAX_CACHED_VALIDATORS = 100;
const validators = new Map<string, Validator>();

/** The validator of a JSON Schema (draft 2020-12), compiled once per schema text, at most 100 kept. */
export function validatorFor(schema: Record<string, unknown>): Validator {
  const key = JSON.stringify(schema);
  let validator = validators.get(key);
  if (!validator) {
    if (validators.size >= MAX_CACHED_VALIDATORS) validators.delete(validators.keys().next().value!);
    validator = new Validator(schema as Schema, "2020-12", false);
    validators.set(key, validator);
  }
  return validator;
}
