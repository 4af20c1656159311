"""Code the template's tests and its benchmark share: baking, commands, servers.

Importable from the repository root (pytest puts it on ``sys.path`` through
``pythonpath`` in pyproject.toml; ``python -m bench.run`` runs from the root), so
neither the tests nor the benchmark edit ``sys.path``.
"""
