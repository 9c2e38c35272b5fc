import { Hono } from 'hono';
import type { AppEnv } from '../env.ts';
import swaggerCss from './vendor/swagger-ui.css.txt';
import swaggerJs from './vendor/swagger-ui-bundle.js.txt';

// GET /docs: Swagger UI over the API's own /openapi.json, with "Try it out" open. Its script and
// styles are bundled into the Worker (scripts/install-deps.sh copies them from swagger-ui-dist as
// text modules), so the page needs no CDN and works offline; unlike Workers static assets, they
// put no asset router in front of every API request.

const PAGE = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>goods-edge API</title>
    <link rel="stylesheet" href="/docs/swagger-ui.css" />
  </head>
  <body>
    <div id="docs"></div>
    <script src="/docs/swagger-ui-bundle.js"></script>
    <script>
      window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#docs', tryItOutEnabled: true, docExpansion: 'list' });
    </script>
  </body>
</html>
`;

const CACHE = 'public, max-age=3600';

export const docsRoutes = new Hono<AppEnv>()
  .get('/docs', (c) => c.html(PAGE))
  .get('/docs/swagger-ui-bundle.js', (c) =>
    c.body(swaggerJs, 200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': CACHE }),
  )
  .get('/docs/swagger-ui.css', (c) => c.body(swaggerCss, 200, { 'content-type': 'text/css; charset=utf-8', 'cache-control': CACHE }));
