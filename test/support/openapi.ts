// Checks an answer against what the OpenAPI document declares for it: the operation of its path
// and method, its status, and the schema of its body.
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';

type Document = { paths: Record<string, Record<string, { responses: Record<string, unknown> }>> };

const pointer = (...parts: string[]) => parts.map((p) => p.replaceAll('~', '~0').replaceAll('/', '~1')).join('/');

/** A checker for `document`: it returns what is wrong with an answer, or undefined. */
export function responseChecker(document: object): (method: string, path: string, status: number, body: unknown) => string | undefined {
  const doc = document as Document;
  const ajv = new Ajv2020({ strict: false, validateFormats: false, allErrors: true });
  ajv.addSchema(document, 'openapi');
  const compiled = new Map<string, ValidateFunction>();
  return (method, path, status, body) => {
    const operation = doc.paths[path]?.[method.toLowerCase()];
    if (!operation) return undefined; // not an operation of the API (an unknown path's 404, say)
    if (!operation.responses[status]) return `${method} ${path} answered ${status}, which the document does not declare`;
    const ref = `openapi#/${pointer('paths', path, method.toLowerCase(), 'responses', String(status), 'content', 'application/json', 'schema')}`;
    let validate = compiled.get(ref);
    if (!validate) {
      validate = ajv.compile({ $ref: ref });
      compiled.set(ref, validate);
    }
    if (validate(body)) return undefined;
    return `${method} ${path} ${status}: the body does not match the document: ${ajv.errorsText(validate.errors)}`;
  };
}
