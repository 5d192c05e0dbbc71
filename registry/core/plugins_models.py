"""Import every module that defines mapped classes, so metadata is complete for Alembic and tests."""
from __future__ import annotations

import importlib


def import_all_models() -> None:
    from registry.modules import MODEL_MODULES
    for name in MODEL_MODULES:
        importlib.import_module(name)
