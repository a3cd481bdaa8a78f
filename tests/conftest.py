"""The tests' plugin is tests/support (fixtures, markers, the skip-is-a-failure hook): see support/__init__.py.

The names below stay importable from `conftest` for tests written before tests/support existed; new tests
import them from `support.builds`."""

from __future__ import annotations

from support.builds import BUILT_AT, FIXTURES, MINI, PROJECT_ROOT, required, settings_for, store_of

pytest_plugins = ["support.fixtures"]

__all__ = ["BUILT_AT", "FIXTURES", "MINI", "PROJECT_ROOT", "required", "settings_for", "store_of"]
