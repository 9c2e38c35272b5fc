import { workerAdapters } from './adapters.ts';
import { createApp } from './app.ts';

export default createApp(workerAdapters);
