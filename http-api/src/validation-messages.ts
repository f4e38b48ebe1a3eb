/**
 * Fastify/ajv validation errors -> one clear sentence in the original `{"error": "..."}`
 * shape, naming the field as a client writes it (`sequence[3][5]`), not as a JSON pointer.
 */
export interface AjvLikeError {
  keyword: string;
  instancePath: string;
  params: Record<string, unknown>;
  message?: string | undefined;
}

const EXAMPLE = 'send {"sequence": [[F floats] x T], "mask": [[mLeft, mRight] x T]}';

function fieldName(pointer: string): string {
  const parts = pointer.split('/').filter((p) => p.length > 0);
  return parts.map((p, i) => (i === 0 ? p : `[${p}]`)).join('');
}

export function describeValidationError(err: AjvLikeError | undefined): string {
  if (!err) return `invalid request body: ${EXAMPLE}`;
  const path = err.instancePath.split('/').filter((p) => p.length > 0);
  const field = fieldName(err.instancePath);
  const [top] = path;
  if (path.length === 0) {
    if (err.keyword === 'required') return `missing '${String(err.params.missingProperty)}': ${EXAMPLE}`;
    return `request body must be a JSON object: ${EXAMPLE}`;
  }
  if (top === 'sequence') {
    if (path.length === 1) {
      if (err.keyword === 'minItems') return "'sequence' is empty: send at least one frame";
      return "'sequence' must be a 2-D array (T frames x F features)";
    }
    if (path.length === 2) return `'sequence' must be a 2-D array (T frames x F features): ${field} is not an array`;
    return `${field} must be a finite number`;
  }
  if (top === 'mask') {
    if (path.length === 1) return "'mask' must be a T x 2 array of [mLeft, mRight]";
    if (path.length === 2) return `'mask' must be T x 2: ${field} must be [mLeft, mRight]`;
    return `${field} must be a finite number`;
  }
  return `${field} ${err.message ?? 'is invalid'}`;
}
