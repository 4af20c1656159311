"""How the service sees its clients: through proxies, and from browsers.

Behind a load balancer every request comes from the balancer's address, so rate
limits would count everyone as one client and logs would name the wrong one.
``PROXY_FIX_HOPS`` says how many proxies stand in front; Werkzeug's ``ProxyFix``
then trusts exactly that many ``X-Forwarded-*`` entries. Trusting more than really
exist would let any client choose its own address, so the default is none.

Browsers may call the API from other origins only if ``CORS_ORIGINS`` lists them
(Flask-CORS answers the preflight requests); the default lists none.
"""

from __future__ import annotations

from flask import Flask
from flask_cors import CORS
from werkzeug.middleware.proxy_fix import ProxyFix


def init_app(app: Flask) -> None:
    hops: int = app.config["PROXY_FIX_HOPS"]
    if hops:
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops
        )
    origins: list[str] = app.config["CORS_ORIGINS"]
    if origins:
        CORS(app, origins=origins, expose_headers=["Location", "Retry-After"])
