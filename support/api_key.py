"""The API key the template's tests call a served bake with (auth=api_key).

A bake keeps keys as hashes in ``API_KEYS``; servers the tests start get the
entry below in their environment (which wins over ``.env``), and the tests'
HTTP clients send the key. It has every scope, so tests of other things never
meet a 403.
"""

from __future__ import annotations

import hashlib
import secrets

KEY = f"test_{secrets.token_urlsafe(32)}"
ENTRY = f"template-tests:read+write+admin:{hashlib.sha256(KEY.encode()).hexdigest()}"
HEADERS = {"Authorization": f"Bearer {KEY}"}
