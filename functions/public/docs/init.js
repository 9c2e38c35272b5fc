// The docs page: Swagger UI over the API's own /openapi.json, with "Try it out" open.
window.ui = SwaggerUIBundle({
  url: '/openapi.json',
  dom_id: '#docs',
  tryItOutEnabled: true,
  displayOperationId: false,
  docExpansion: 'list',
});
