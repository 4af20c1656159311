"""The baked app behind Werkzeug's WSGI server, one thread: ``PACKAGE PORT``.

Runs inside the project (``bench.in_project``), configured from the environment
as in production, so the process serving the file is nothing but the app.
"""

from __future__ import annotations

import importlib
import sys

from werkzeug.serving import make_server


def main(package: str, port: int) -> None:
    app = importlib.import_module(package).create_app()
    make_server("127.0.0.1", port, app, threaded=False).serve_forever()


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
