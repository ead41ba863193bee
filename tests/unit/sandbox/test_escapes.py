"""Every escape attempt of the catalogue (escapes.py) is refused with a clear error and leaves the
data as it was."""

from __future__ import annotations

import copy

import pytest

from engine.sandbox import MemoryLimitExceeded
from tests.unit.sandbox.escapes import DOSSIER, ESCAPES, MEMORY_SANDBOX, SANDBOX, run


@pytest.mark.parametrize(("mode", "code", "kind", "fragment"), ESCAPES)
def test_an_escape_attempt_is_refused_with_a_clear_error_and_the_data_left_intact(mode, code, kind, fragment):
    data = copy.deepcopy(DOSSIER)

    with pytest.raises(kind) as caught:
        run(mode, code, data, MEMORY_SANDBOX if kind is MemoryLimitExceeded else SANDBOX)

    assert fragment in caught.value.message
    assert data == DOSSIER
