/* Lindung: start Swagger UI from Lindung's own files (no CDN, no inline script: CSP script-src 'self'). */
(function () {
  "use strict";
  var body = document.querySelector("body");
  var config = JSON.parse(document.getElementById("swagger-settings").textContent);
  config.dom_id = "#swagger-ui";
  config.presets = [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset];
  config.validatorUrl = null; // never call validator.swagger.io: Lindung must work offline
  var csrf = body.dataset.csrfToken;
  if (csrf) {
    config.requestInterceptor = function (req) {
      req.headers["X-CSRFToken"] = csrf;
      return req;
    };
  }
  window.ui = SwaggerUIBundle(config);
})();
