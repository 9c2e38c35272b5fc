import { randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { expect } from 'vitest';
import { api, type ApiResponse, type RequestOptions } from '../support/api.ts';
import { historiesAgree, loggedHistory } from './audit-history.ts';
import type { Outcome, ReferenceModel } from './reference-model.ts';

/** What a model run shares between commands. */
export interface Real {
  token: string;
  /**
   * Operations sent so far (all runs; the long mode stops generating once it has enough), and
   * the count at the last restart.
   */
  ops: { count: number; atLastRestart: number };
  /** Project ids to draw from: existing ones and one that does not exist. */
  projectIds: number[];
  /** Restarts a part of the pipeline between two commands. */
  restart(what: Restartable): Promise<void>;
}

export type Restartable = 'ingest worker' | 'nats' | 'redis';
/** Restarts take seconds: one per this many operations keeps the test's time in bounds. */
const OPERATIONS_PER_RESTART = 100;

type Cmd = fc.AsyncCommand<ReferenceModel, Real, false>;

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

function expectOutcome<T>(response: ApiResponse, outcome: Outcome<T>, what: string): void {
  if (outcome.ok) {
    expect(response.status, `${what}: ${response.text}`).toBe(200);
    return;
  }
  expect(response.status, `${what}: ${response.text}`).toBe(outcome.status);
  expect(response.body, what).toEqual({ code: outcome.status === 404 ? 3 : 2, message: outcome.message, details: {} });
}

function expectGoodBody(body: any, expected: object, what: string): void {
  const { createdAt, ...rest } = body;
  expect(rest, what).toEqual(expected);
  expect(createdAt, what).toMatch(ISO_UTC);
}

// ---- inputs

const suffix = fc.string({ unit: fc.constantFrom('a', 'b', 'Я', 'ё', ' ', '😀', "'", '"', ';', '%'), maxLength: 12 });
/** A valid name: the run's token (so goods_log rows can be found) and a suffix, trimmed as the API does. */
const name = (real: Real, s: string) => `${real.token}${s}`.trim();
/** A create/update body; `description` left out when undefined. */
const goodBody = (goodName: string, description: string | undefined) =>
  description === undefined ? { name: goodName } : { name: goodName, description };
const invalidName = fc.constantFrom<unknown>('', '   ', 'x'.repeat(256), 42, null, ['a']);
const description = fc.option(fc.string({ unit: fc.constantFrom('d', 'ы', ' ', '\n'), maxLength: 30 }), { nil: undefined });
const anyId = fc.integer({ min: 1, max: 40 });

/**
 * How a write is sent: once, or with an Idempotency-Key and then `copies` more times with the
 * same key, one after another or all at once. The copies must get the first answer back (or a 409
 * while it runs), and the write must run once: the model applies it once.
 */
interface Sending {
  copies: number;
  together: boolean;
}
const sending: fc.Arbitrary<Sending> = fc.record({ copies: fc.constantFrom(0, 0, 0, 1, 2), together: fc.boolean() });
const describeSending = ({ copies, together }: Sending) => (copies === 0 ? '' : `, ${copies} ${together ? 'concurrent' : 'later'} copies`);

async function sendWrite(method: string, path: string, options: RequestOptions, how: Sending): Promise<ApiResponse> {
  if (how.copies === 0) return api(method, path, options);
  const keyed = { ...options, headers: { ...options.headers, 'Idempotency-Key': randomUUID() } };
  const send = () => api(method, path, keyed);
  const answers = how.together
    ? await Promise.all(Array.from({ length: how.copies + 1 }, send))
    : [await send(), ...(await sequence(how.copies, send))];
  const ran = answers.filter((a) => a.status !== 409 && a.headers.get('idempotent-replayed') === null);
  expect(ran, `${method} ${path}: one copy runs`).toHaveLength(1);
  for (const answer of answers) {
    if (answer.status === 409) continue;
    expect(answer.status).toBe(ran[0]!.status);
    expect(answer.text).toBe(ran[0]!.text);
  }
  return ran[0]!;
}

async function sequence<T>(times: number, run: () => Promise<T>): Promise<T[]> {
  const results: T[] = [];
  for (let i = 0; i < times; i++) results.push(await run());
  return results;
}

// ---- commands

class Create implements Cmd {
  constructor(
    readonly projectIndex: number,
    readonly suffix: string,
    readonly description: string | undefined,
    readonly how: Sending,
  ) {}
  check = () => true;
  async run(model: ReferenceModel, real: Real) {
    real.ops.count++;
    const projectId = real.projectIds[this.projectIndex % real.projectIds.length]!;
    const goodName = name(real, this.suffix);
    const response = await sendWrite(
      'POST',
      '/goods/create',
      { query: { projectId }, json: goodBody(goodName, this.description) },
      this.how,
    );
    const outcome = model.create(projectId, goodName, this.description ?? '');
    expectOutcome(response, outcome, this.toString());
    if (outcome.ok) expectGoodBody(response.body, outcome.value, this.toString());
  }
  toString = () =>
    `create(p#${this.projectIndex}, ${JSON.stringify(this.suffix)}, ${JSON.stringify(this.description)}${describeSending(this.how)})`;
}

class CreateInvalid implements Cmd {
  constructor(readonly badName: unknown) {}
  check = () => true;
  async run(_: ReferenceModel, real: Real) {
    real.ops.count++;
    const response = await api('POST', '/goods/create', { query: { projectId: real.projectIds[0]! }, json: { name: this.badName } });
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ code: 2, message: 'errors.request.invalid', details: { name: expect.any(String) } });
  }
  toString = () => `createInvalid(${JSON.stringify(this.badName)})`;
}

class Update implements Cmd {
  constructor(
    readonly id: number,
    readonly projectIndex: number,
    readonly suffix: string,
    readonly description: string | undefined,
    readonly how: Sending,
  ) {}
  check = () => true;
  async run(model: ReferenceModel, real: Real) {
    real.ops.count++;
    const projectId = real.projectIds[this.projectIndex % real.projectIds.length]!;
    const goodName = name(real, this.suffix);
    const query = { id: this.id, projectId };
    const response = await sendWrite('PATCH', '/goods/update', { query, json: goodBody(goodName, this.description) }, this.how);
    const outcome = model.update(this.id, projectId, goodName, this.description);
    expectOutcome(response, outcome, this.toString());
    if (outcome.ok) expectGoodBody(response.body, outcome.value, this.toString());
  }
  toString = () =>
    `update(${this.id}, p#${this.projectIndex}, ${JSON.stringify(this.suffix)}, ${JSON.stringify(this.description)}${describeSending(this.how)})`;
}

class Remove implements Cmd {
  constructor(
    readonly id: number,
    readonly projectIndex: number,
    readonly how: Sending,
  ) {}
  check = () => true;
  async run(model: ReferenceModel, real: Real) {
    real.ops.count++;
    const projectId = real.projectIds[this.projectIndex % real.projectIds.length]!;
    const response = await sendWrite('DELETE', '/goods/remove', { query: { id: this.id, projectId } }, this.how);
    const outcome = model.remove(this.id, projectId);
    expectOutcome(response, outcome, this.toString());
    if (outcome.ok) expect(response.body).toEqual(outcome.value);
  }
  toString = () => `remove(${this.id}, p#${this.projectIndex}${describeSending(this.how)})`;
}

class Reprioritize implements Cmd {
  constructor(
    readonly id: number,
    readonly projectIndex: number,
    readonly newPriority: number,
    readonly how: Sending,
  ) {}
  check = () => true;
  async run(model: ReferenceModel, real: Real) {
    real.ops.count++;
    const projectId = real.projectIds[this.projectIndex % real.projectIds.length]!;
    const options = { query: { id: this.id, projectId }, json: { newPriority: this.newPriority } };
    const response = await sendWrite('PATCH', '/goods/reprioritize', options, this.how);
    const outcome = model.reprioritize(this.id, projectId, this.newPriority);
    expectOutcome(response, outcome, this.toString());
    if (outcome.ok) expect(response.body).toEqual({ priorities: outcome.value });
  }
  toString = () => `reprioritize(${this.id}, p#${this.projectIndex}, ${this.newPriority}${describeSending(this.how)})`;
}

class List implements Cmd {
  constructor(
    readonly limit: number,
    readonly offset: number,
  ) {}
  check = () => true;
  async run(model: ReferenceModel, real: Real) {
    real.ops.count++;
    const response = await api('GET', '/goods/list', { query: { limit: this.limit, offset: this.offset } });
    expect(response.status).toBe(200);
    const expected = model.list(this.limit, this.offset);
    expect(response.body.meta).toEqual(expected.meta);
    expect(response.body.goods.map(({ createdAt, ...g }: any) => g)).toEqual(expected.goods);
  }
  toString = () => `list(${this.limit}, ${this.offset})`;
}

/** Several creates at once: the model learns their order from the priorities they were given. */
class ConcurrentCreates implements Cmd {
  constructor(readonly suffixes: string[]) {}
  check = () => true;
  async run(model: ReferenceModel, real: Real) {
    real.ops.count += this.suffixes.length;
    const projectId = real.projectIds[0]!;
    const names = this.suffixes.map((s, i) => name(real, `${s}#${i}`));
    const responses = await Promise.all(names.map((n) => api('POST', '/goods/create', { query: { projectId }, json: { name: n } })));
    for (const r of responses) expect(r.status).toBe(200);
    const inCommitOrder = responses.map((r) => r.body).sort((a, b) => a.priority - b.priority);
    const firstId = model.size + 1;
    expect(inCommitOrder.map((b) => b.id).sort((a, b) => a - b)).toEqual(names.map((_, i) => firstId + i));
    for (const body of inCommitOrder) {
      const outcome = model.create(projectId, body.name, '', body.id);
      expect(outcome.ok && outcome.value).toEqual({ ...body, createdAt: undefined, id: body.id });
    }
  }
  toString = () => `concurrentCreates(${this.suffixes.length})`;
}

/** One of the writes sent at once by ConcurrentWrites. */
type Write =
  | { kind: 'update'; id: number; projectIndex: number; suffix: string }
  | { kind: 'reprioritize'; id: number; projectIndex: number; newPriority: number }
  | { kind: 'remove'; id: number; projectIndex: number };

function sendOne(write: Write, projectId: number, real: Real): Promise<ApiResponse> {
  const query = { id: write.id, projectId };
  switch (write.kind) {
    case 'update':
      return api('PATCH', '/goods/update', { query, json: { name: name(real, write.suffix) } });
    case 'reprioritize':
      return api('PATCH', '/goods/reprioritize', { query, json: { newPriority: write.newPriority } });
    case 'remove':
      return api('DELETE', '/goods/remove', { query });
  }
}

/** Applies `write` to `model`: the outcome, and the body a 200 must carry. */
function applyWrite(model: ReferenceModel, write: Write, projectId: number, real: Real): { outcome: Outcome<unknown>; body?: unknown } {
  switch (write.kind) {
    case 'update': {
      const outcome = model.update(write.id, projectId, name(real, write.suffix), undefined);
      return { outcome, body: outcome.ok ? outcome.value : undefined };
    }
    case 'reprioritize': {
      const outcome = model.reprioritize(write.id, projectId, write.newPriority);
      return { outcome, body: outcome.ok ? { priorities: outcome.value } : undefined };
    }
    case 'remove': {
      const outcome = model.remove(write.id, projectId);
      return { outcome, body: outcome.ok ? outcome.value : undefined };
    }
  }
}

function answerFits(response: ApiResponse<any>, { outcome, body }: ReturnType<typeof applyWrite>): boolean {
  if (!outcome.ok) return response.status === outcome.status && response.body?.message === outcome.message;
  if (response.status !== 200) return false;
  const { createdAt, ...rest } = response.body;
  return isDeepStrictEqual(createdAt === undefined ? response.body : rest, body);
}

function permutations(n: number): number[][] {
  if (n === 0) return [[]];
  return permutations(n - 1).flatMap((p) => Array.from({ length: n }, (_, i) => [...p.slice(0, i), n - 1, ...p.slice(i)]));
}

/**
 * Updates, reprioritizes and removes of the same few goods, sent all at once. Their answers must
 * be those of some serial order (row locks and the priority lock serialize them); the model then
 * applies them in that order, and the audit log must show each good's events in it.
 */
class ConcurrentWrites implements Cmd {
  constructor(readonly writes: Write[]) {}
  check = () => true;
  async run(model: ReferenceModel, real: Real) {
    real.ops.count += this.writes.length;
    const projectIds = this.writes.map((w) => real.projectIds[w.projectIndex % real.projectIds.length]!);
    const answers = await Promise.all(this.writes.map((w, i) => sendOne(w, projectIds[i]!, real)));
    const fitting = permutations(this.writes.length)
      .map((order) => ({ order, trial: model.clone() }))
      .filter(({ order, trial }) => order.every((i) => answerFits(answers[i]!, applyWrite(trial, this.writes[i]!, projectIds[i]!, real))));
    expect(
      fitting.length,
      `${this}: the answers fit no serial order: ${answers.map((a) => `${a.status} ${a.text}`).join(' | ')}`,
    ).toBeGreaterThan(0);
    const same = fitting.every((f) => isDeepStrictEqual(f.trial.events, fitting[0]!.trial.events));
    const order = same ? fitting[0]!.order : await orderInLog(fitting, real.token);
    for (const i of order) applyWrite(model, this.writes[i]!, projectIds[i]!, real);
  }
  toString = () => `concurrentWrites(${JSON.stringify(this.writes)})`;
}

/**
 * Orders that give the same answers can still leave different events (a remove and a move of
 * the same good: the move's event shows the good removed or not). The log then tells which
 * order ran, as long as it is one of them.
 */
async function orderInLog(fitting: { order: number[]; trial: ReferenceModel }[], token: string): Promise<number[]> {
  const lengths = [...new Set(fitting.map((f) => f.trial.events.length))].sort((a, b) => a - b);
  for (const length of lengths) {
    const logged = await loggedHistory(token, length);
    const found = fitting.find((f) => f.trial.events.length === length && historiesAgree(logged, f.trial.events));
    if (found) return found.order;
  }
  throw new Error(`the audit log shows none of the serial orders that fit the answers: ${fitting.map((f) => f.order).join(' / ')}`);
}

/** A crash of the worker (kill -9) or a restart of NATS or Redis between two commands. */
class Restart implements Cmd {
  constructor(readonly what: Restartable) {}
  check = () => true;
  async run(_: ReferenceModel, real: Real) {
    if (real.ops.count - real.ops.atLastRestart < OPERATIONS_PER_RESTART) return;
    real.ops.atLastRestart = real.ops.count;
    await real.restart(this.what);
  }
  toString = () => `restart(${this.what})`;
}

export function commandArbitraries(): fc.Arbitrary<Cmd>[] {
  const project = fc.nat({ max: 5 }); // index into Real.projectIds: mostly existing, sometimes missing
  // Concurrent writes aim at a few goods of the existing projects, so that they meet.
  const near = { id: fc.integer({ min: 1, max: 6 }), projectIndex: fc.nat({ max: 2 }) };
  const write: fc.Arbitrary<Write> = fc.oneof(
    fc.record({ kind: fc.constant('update' as const), ...near, suffix }),
    fc.record({ kind: fc.constant('reprioritize' as const), ...near, newPriority: fc.integer({ min: 1, max: 8 }) }),
    fc.record({ kind: fc.constant('remove' as const), ...near }),
  );
  return [
    fc.tuple(project, suffix, description, sending).map(([p, s, d, h]) => new Create(p, s, d, h)),
    fc.tuple(project, suffix, description, sending).map(([p, s, d, h]) => new Create(p, s, d, h)),
    invalidName.map((n) => new CreateInvalid(n)),
    fc.tuple(anyId, project, suffix, description, sending).map(([id, p, s, d, h]) => new Update(id, p, s, d, h)),
    fc.tuple(anyId, project, sending).map(([id, p, h]) => new Remove(id, p, h)),
    fc.tuple(anyId, project, fc.integer({ min: 1, max: 45 }), sending).map(([id, p, n, h]) => new Reprioritize(id, p, n, h)),
    fc.tuple(fc.integer({ min: 1, max: 50 }), fc.integer({ min: 0, max: 45 })).map(([l, o]) => new List(l, o)),
    fc.array(suffix, { minLength: 2, maxLength: 6 }).map((s) => new ConcurrentCreates(s)),
    fc.array(write, { minLength: 2, maxLength: 3 }).map((w) => new ConcurrentWrites(w)),
    fc.constantFrom<Restartable>('ingest worker', 'nats', 'redis').map((what) => new Restart(what)),
  ];
}
