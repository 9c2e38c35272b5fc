import { workerAdapters } from './adapters.ts';
import { createApp } from './app.ts';
import { docsRoutes } from './docs/routes.ts';

export default createApp(workerAdapters).route('/', docsRoutes);
