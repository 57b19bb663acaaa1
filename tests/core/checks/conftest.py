"""Fixtures for the check tests (helpers live in checkpages.py)."""
import pytest

from app.core.checks.base import CheckContext
from checkpages import AS_OF, SITE


@pytest.fixture
def ctx() -> CheckContext:
    return CheckContext(AS_OF, dict(SITE))
