import { createGoodRoute } from './handlers/create-good.ts';
import { goodHistoryRoute } from './handlers/good-history.ts';
import { healthRoute } from './handlers/healthz.ts';
import { listGoodsRoute } from './handlers/list-goods.ts';
import { projectStatsRoute } from './handlers/project-stats.ts';
import { removeGoodRoute } from './handlers/remove-good.ts';
import { reprioritizeGoodRoute } from './handlers/reprioritize-good.ts';
import { updateGoodRoute } from './handlers/update-good.ts';
import type { Route } from './http/define-route.ts';

/** Every endpoint of the API, each declared once in its handler's file (http/define-route.ts). */
export const routes: Route[] = [
  createGoodRoute,
  updateGoodRoute,
  removeGoodRoute,
  reprioritizeGoodRoute,
  listGoodsRoute,
  goodHistoryRoute,
  projectStatsRoute,
  healthRoute,
];
