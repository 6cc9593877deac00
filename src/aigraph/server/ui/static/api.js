// Starts Swagger UI on the page at /api. A file, not an inline script, so that the page's
// Content-Security-Policy can allow this server's scripts only (docs/serving.md, "Safety").
window.SwaggerUIBundle({
  url: document.getElementById("swagger-ui").dataset.openapi,
  dom_id: "#swagger-ui",
  layout: "BaseLayout",
  deepLinking: true,
  showExtensions: true,
  showCommonExtensions: true,
  // no validator badge: Swagger UI would fetch it from validator.swagger.io
  validatorUrl: null,
  presets: [window.SwaggerUIBundle.presets.apis, window.SwaggerUIBundle.SwaggerUIStandalonePreset],
});
