"""Follow the baked README's "Add a resource" recipe into a bake, word for word.

The code comes from the README's own code blocks, so the test that uses this
fails if the README's recipe stops working. A small CRUD test for the new
resource is added as a user would write one.
"""

from __future__ import annotations

import re
from pathlib import Path

from support.commands import run
from support.environment import BIN

SECTION = "## Add a resource"
BLOCK = re.compile(r"```python\n(.*?)```", re.DOTALL)

ORDERS_TEST = """\
from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient


def order(client: FlaskClient, reference: str) -> dict[str, Any]:
    body = {"reference": reference, "customer": "Ada", "quantity": 2}
    response = client.post("/api/orders", json=body)
    created: dict[str, Any] = response.get_json()
    assert response.status_code == 201, created
    assert response.headers["Location"] == f"/api/orders/{created['id']}"
    return created


def test_orders_have_full_crud(client: FlaskClient) -> None:
    made = order(client, "A-1")
    assert made["status"] == "open"
    assert client.get(f"/api/orders/{made['id']}").get_json() == made
    patched = client.patch(f"/api/orders/{made['id']}", json={"status": "shipped"})
    assert patched.get_json()["status"] == "shipped"
    twin = {"reference": "a-1", "customer": "B"}
    assert client.post("/api/orders", json=twin).status_code == 409
    bad = client.patch(f"/api/orders/{made['id']}", json={"status": "lost"})
    assert bad.status_code == 422
    assert client.delete(f"/api/orders/{made['id']}").status_code == 204
    assert client.get(f"/api/orders/{made['id']}").status_code == 404


def test_orders_page_by_keyset(client: FlaskClient) -> None:
    made = [order(client, f"P-{n}")["id"] for n in range(5)]
    seen: list[str] = []
    url: str | None = "/api/orders?limit=2"
    while url:
        page = client.get(url).get_json()
        seen.extend(entry["id"] for entry in page["items"])
        url = page["next"]
    assert seen == made


def test_orders_are_in_the_contract(client: FlaskClient) -> None:
    paths = client.get("/openapi.json").get_json()["paths"]
    assert {"/api/orders", "/api/orders/{order_id}"} <= set(paths)
"""


def recipe_blocks(readme: str) -> list[str]:
    """The python code blocks of the README's "Add a resource" section."""
    section = readme.split(SECTION, 1)[1].split("\n## ", 1)[0]
    return BLOCK.findall(section)


def add_resource(project: Path, package: str) -> None:
    """Write the module, register its blueprint and declare its index."""
    module, register, index = recipe_blocks((project / "README.md").read_text())
    path = module.splitlines()[0].removeprefix("# ").strip()
    (project / path).write_text(module.split("\n", 1)[1].lstrip("\n"))
    name = Path(path).stem

    init = project / package / "__init__.py"
    text = init.read_text()
    imports = re.search(r"^from \. import \(\n(.*?)\n\)$", text, flags=re.M | re.S)
    assert imports, init
    modules = sorted([*(line.strip(" ,") for line in imports[1].splitlines()), name])
    listed = "".join(f"    {module},\n" for module in modules)
    text = text.replace(imports[0], f"from . import (\n{listed})", 1)
    anchor = "    app.register_blueprint(items.bp)\n"
    init.write_text(text.replace(anchor, anchor + register, 1))

    indexes = project / package / "indexes.py"
    text = indexes.read_text()
    start = text.index("INDEXES")
    end = text.index("\n}\n", start) + 1
    indexes.write_text(text[:end] + index + text[end:])

    (project / "tests" / f"test_{name}.py").write_text(ORDERS_TEST)
    # The README's last step: `make format` (ruff) wraps the longer import line.
    run([str(BIN / "ruff"), "format", "."], project)
