import type { Handler } from 'hono';
import type { AppEnv } from './env.ts';
import { createGoodHandler } from './handlers/create-good.ts';
import { healthzHandler } from './handlers/healthz.ts';
import { listGoodsHandler } from './handlers/list-goods.ts';
import { removeGoodHandler } from './handlers/remove-good.ts';
import { reprioritizeGoodHandler } from './handlers/reprioritize-good.ts';
import { updateGoodHandler } from './handlers/update-good.ts';

export interface Route {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** The canonical path first, then the original service's spellings. */
  paths: string[];
  handler: Handler<AppEnv>;
  write: boolean;
}

export const routes: Route[] = [
  { method: 'POST', paths: ['/goods/create', '/good/create'], handler: createGoodHandler, write: true },
  { method: 'PATCH', paths: ['/goods/update', '/good/update'], handler: updateGoodHandler, write: true },
  { method: 'DELETE', paths: ['/goods/remove', '/good/remove'], handler: removeGoodHandler, write: true },
  {
    method: 'PATCH',
    paths: ['/goods/reprioritize', '/good/reprioritiize', '/good/reprioritize', '/goods/reprioritiize'],
    handler: reprioritizeGoodHandler,
    write: true,
  },
  { method: 'GET', paths: ['/goods/list'], handler: listGoodsHandler, write: false },
  { method: 'GET', paths: ['/healthz'], handler: healthzHandler, write: false },
];
