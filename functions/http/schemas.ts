import { z } from 'zod';

const INT32_MAX = 2_147_483_647;

/** Postgres text cannot hold NUL, and a lone surrogate cannot be encoded as UTF-8. */
function isStorableText(value: string): boolean {
  return !value.includes('\u0000') && value.isWellFormed();
}

/** Length in characters (code points), as Postgres counts varchar(n). */
function charCount(value: string): number {
  return [...value].length;
}

// The rules a 400's `details` names, each spelled once.
const IS_REQUIRED = 'is required';
const NOT_AN_INTEGER = 'must be an integer';
const atLeast = (min: number) => `must be at least ${min}`;
const atMost = (max: number) => `must be at most ${max}`;

/** The message for a value of the wrong type, or "is required" when it is absent. */
function typeError(message: string) {
  return { error: (issue: { input?: unknown }) => (issue.input === undefined ? IS_REQUIRED : message) };
}

/**
 * An integer query parameter; `details` names the rule a value broke: missing, not an integer,
 * below `min` (`belowMin` says how), or above `max`. Digits beyond any int32 still count as an
 * integer: too large, not malformed (BigInt, since past ~309 digits a Number is Infinity).
 */
function integerParam(min: number, max: number, belowMin: string) {
  return z
    .string(typeError(NOT_AN_INTEGER))
    .regex(/^-?[0-9]+$/, NOT_AN_INTEGER)
    .transform(BigInt)
    .pipe(z.bigint().min(BigInt(min), belowMin).max(BigInt(max), atMost(max)))
    .transform(Number)
    .meta({ type: 'integer', format: 'int32', minimum: min, maximum: max });
}

const id = integerParam(1, INT32_MAX, 'must be positive');

export const projectQuery = z.object({ projectId: id });
export const goodQuery = z.object({ id, projectId: id });
export const listQuery = z.object({
  limit: integerParam(1, 1000, atLeast(1)).default(10).meta({ description: 'How many goods; default 10.' }),
  offset: integerParam(0, INT32_MAX, 'must not be negative')
    .default(1)
    .transform((offset) => Math.max(offset, 1))
    .meta({ description: 'The 1-based position of the first good; default 1, and 0 is read as 1.' }),
});

export const historyQuery = goodQuery.extend(listQuery.shape);

/** A string Postgres can store. */
function storableText() {
  return z.string(typeError('must be a string')).refine(isStorableText, 'must be valid text without NUL characters');
}

const name = storableText()
  .transform((value) => value.trim())
  .refine((value) => value.length > 0, 'must not be empty')
  .refine((value) => charCount(value) <= 255, 'must be at most 255 characters');

const description = storableText().refine((value) => charCount(value) <= 1000, 'must be at most 1000 characters');

export const createBody = z.object({ name, description: description.default('') });
export const updateBody = z.object({ name, description: description.optional() });

// Capped well below int32 so that the +1 shift of later goods can never overflow.
export const PRIORITY_MAX = 1_000_000_000;
export const reprioritizeBody = z.object({
  newPriority: z.number(typeError(NOT_AN_INTEGER)).int(NOT_AN_INTEGER).min(1, atLeast(1)).max(PRIORITY_MAX, atMost(PRIORITY_MAX)),
});

/** The `Idempotency-Key` request header of writes (the contract's "Failures and retries"). */
export const idempotencyKeyHeader = z
  .string()
  .regex(/^[A-Za-z0-9._:-]{1,255}$/, 'must be 1–255 characters of letters, digits and -_.:')
  .meta({
    description:
      'Makes a retry safe: the first request with a key runs the write and its answer (200 or 404) is kept for 24 hours; a retry with the same key, method, path, query and body gets that answer again, with `Idempotent-Replayed: true`, and changes nothing. The same key with another request is a 422; while the first request is still running, a retry waits for it or gets a 409.',
  });
