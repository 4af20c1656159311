"""The interactive API docs at ``/docs``: Swagger UI that works with no internet.

Swagger UI's files come from the installed ``flask-swagger-ui`` package (its
``dist`` folder, Swagger UI 5, Apache-2.0), served by this service itself: no
CDN, so the page works on an air-gapped network and shows exactly the version
that was tested. Only its assets are used, not its blueprint, whose page runs an
inline script.

Nothing here is inline, so the Content-Security-Policy allows scripts and styles
from this origin only (no ``'unsafe-inline'``, no nonce to thread through): the
start-up code is a small script of its own at ``/docs/init.js``, and it reads the
document's URL from a ``data-`` attribute. Swagger UI's online validator (which
would send the document to a third party) is off. ``API_DOCS_ENABLED=false``
removes the page along with the document.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from flask import Blueprint, Flask, Response, request, send_from_directory
from markupsafe import escape
from werkzeug.exceptions import NotFound

bp = Blueprint("docs", __name__)

# pip installs packages as plain files, so the folder has a real path.
ASSETS = Path(str(files("flask_swagger_ui") / "dist"))
# The only files served, with their types: nothing else of the package is reachable.
ASSET_TYPES = {
    "swagger-ui.css": "text/css; charset=utf-8",
    "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
    "favicon-32x32.png": "image/png",
}
ASSET_MAX_AGE = 24 * 3600
# Swagger UI draws its icons from data: URIs in its stylesheet; everything else
# comes from this origin, and the page may not be framed or post anywhere.
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
    )
)

PAGE = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>API docs</title>
  <link rel="stylesheet" href="{docs}/assets/swagger-ui.css">
  <link rel="icon" type="image/png" href="{docs}/assets/favicon-32x32.png">
</head>
<body>
  <div id="swagger-ui" data-openapi-url="{openapi}"></div>
  <script src="{docs}/assets/swagger-ui-bundle.js"></script>
  <script src="{docs}/init.js"></script>
</body>
</html>
"""

INIT_SCRIPT = """\
"use strict";
(function () {
  var root = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({
    url: root.dataset.openapiUrl,
    domNode: root,
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
    deepLinking: true,
    validatorUrl: null
  });
})();
"""


@bp.after_request
def secure(response: Response) -> Response:
    """Every answer under /docs is locked to this origin and never type-sniffed."""
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@bp.get("/docs")
def page() -> Response:
    root = escape(request.script_root)
    html = PAGE.format(docs=f"{root}/docs", openapi=f"{root}/openapi.json")
    return Response(html, mimetype="text/html")


@bp.get("/docs/init.js")
def init_script() -> Response:
    return Response(INIT_SCRIPT, mimetype="text/javascript")


@bp.get("/docs/assets/<name>")
def asset(name: str) -> Response:
    if name not in ASSET_TYPES:
        raise NotFound("No such asset.")
    return send_from_directory(
        ASSETS, name, mimetype=ASSET_TYPES[name], max_age=ASSET_MAX_AGE
    )


def init_app(app: Flask) -> None:
    """Serve the page unless API_DOCS_ENABLED is off: then /docs is a plain 404."""
    if app.config["API_DOCS_ENABLED"]:
        app.register_blueprint(bp)
