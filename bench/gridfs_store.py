"""Store a generated file of ``size`` bytes through the baked app's own ``save_file``.

Runs inside the project (``bench.in_project``), because it imports the baked
package. The bytes are made as they are read, so the file never exists in memory
or on disk: the process's peak RSS is what storing costs.
"""

from __future__ import annotations

import hashlib
import importlib
import io
import resource
from typing import Any

from bench.in_project import answer

BLOCK = hashlib.sha256(b"seed").digest() * 32768  # 1 MiB, not trivially compressible


class Generated(io.RawIOBase):
    """``size`` bytes of a repeating pattern, made as they are read."""

    def __init__(self, size: int) -> None:
        self.left = size

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        wanted = self.left if size is None or size < 0 else min(size, self.left)
        self.left -= wanted
        whole, part = divmod(wanted, len(BLOCK))
        return BLOCK * whole + BLOCK[:part]


def store(package: str, uri: str, database: str, size: int) -> dict[str, Any]:
    """Save the file; its id, SHA-256 and length, and this process's peak RSS."""
    create_app = importlib.import_module(package).create_app
    save_file = importlib.import_module(f"{package}.files").save_file
    config = {"APP_ENV": "testing", "MONGODB_URI": uri, "MONGODB_DB": database}
    app = create_app(config)
    with app.test_request_context():
        stored = save_file(Generated(size), "big.bin")
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "id": str(stored.id),
        "sha256": stored.sha256,
        "length": stored.length,
        "peak_mb": peak_mb,
    }


if __name__ == "__main__":
    answer(store)
