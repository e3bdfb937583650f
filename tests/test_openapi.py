"""The committed OpenAPI schema (docs/openapi.json) is the one the code serves."""

import json
from pathlib import Path

from django.core.management import call_command

COMMITTED = Path(__file__).resolve().parent.parent / "docs" / "openapi.json"


def test_committed_openapi_schema_is_current(tmp_path):
    fresh = tmp_path / "openapi.json"
    call_command("export_openapi_schema", api="motcua.api.main.api", indent=1, sorted=True, output=str(fresh))
    assert json.loads(COMMITTED.read_text()) == json.loads(fresh.read_text()), "run `make openapi` and commit"


def test_api_docs_page_uses_no_cdn(client):
    html = client.get("/api/docs").content.decode()
    assert "cdn." not in html and "/static/ninja/" in html
