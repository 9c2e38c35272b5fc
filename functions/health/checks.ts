import { createClient } from '@clickhouse/client-web';
import { wsconnect } from '@nats-io/nats-core';
import type { Redis } from '@upstash/redis/cloudflare';
import type { Context } from 'hono';
import { z } from 'zod';
import type { AppEnv } from '../env.ts';
import { errorMessage } from '../../shared/log.ts';
import { withDeadline } from '../utils/time.ts';

export type Check = () => Promise<void>;

export const HealthSchema = z
  .object({
    status: z.enum(['ok', 'unavailable']),
    dependencies: z.record(
      z.string(),
      z.object({ status: z.enum(['up', 'down']), ms: z.number(), error: z.string().optional(), required: z.boolean() }),
    ),
  })
  .meta({ id: 'Health' });

export interface CheckResult {
  status: 'up' | 'down';
  ms: number;
  error?: string;
}

const CHECK_TIMEOUT_MS = 2_000;

export async function runCheck(check: Check): Promise<CheckResult> {
  const started = Date.now();
  try {
    await withDeadline(check(), CHECK_TIMEOUT_MS, 'check');
    return { status: 'up', ms: Date.now() - started };
  } catch (error) {
    return { status: 'down', ms: Date.now() - started, error: errorMessage(error) };
  }
}

/** The same connection path as every request, retries and deadline included. */
export function postgresCheck(c: Context<AppEnv>): Check {
  return async () => {
    await c.var.db((db) => db.query('SELECT 1'));
  };
}

export function redisCheck(redis: Redis): Check {
  return async () => {
    await redis.ping();
  };
}

export function natsCheck(env: Env): Check {
  return async () => {
    const nc = await wsconnect({
      servers: env.NATS_WS_URL,
      user: env.NATS_USER,
      pass: env.NATS_PASSWORD,
      timeout: CHECK_TIMEOUT_MS,
      reconnect: false,
    });
    try {
      await nc.flush();
    } finally {
      await nc.close();
    }
  };
}

export function clickhouseCheck(env: Env): Check {
  return async () => {
    if (!env.CLICKHOUSE_URL) throw new Error('CLICKHOUSE_URL is not set');
    const client = createClient({ url: env.CLICKHOUSE_URL, username: env.CLICKHOUSE_USER, password: env.CLICKHOUSE_PASSWORD ?? '' });
    try {
      const result = await client.ping();
      if (!result.success) throw result.error;
    } finally {
      await client.close();
    }
  };
}
