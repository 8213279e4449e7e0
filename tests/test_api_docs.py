"""The API's documentation page: Swagger UI from this site's own files, nothing external."""

from __future__ import annotations

from django.core import checks


def test_ninjas_static_files_are_installed():
    assert [m.id for m in checks.run_checks() if m.id.startswith("api.")] == []
