"""Catalog import/export: validation with located errors, all-or-nothing, versioning."""

import copy
import json

import pytest
from django.core.management import call_command

from motcua.catalog import selectors
from motcua.catalog.models import Procedure, ProcedureVersion
from motcua.catalog.services import export_catalog, import_catalog
from motcua.common.errors import InvalidInput
from tests.catalog.factories import BIRTH, CONSTRUCTION, catalog


def test_import_then_export_round_trips(db):
    report = import_catalog(catalog())
    assert (report.procedures_created, report.versions_created) == (2, 2)
    exported = export_catalog()
    again = import_catalog(exported)
    assert again.versions_created == 0 and again.versions_unchanged == 2
    version = selectors.version_in_force("1.009972")
    steps = list(version.steps.all())
    assert steps[2].inter_agency and steps[2].agency.code == CONSTRUCTION["versions"][0]["steps"][2]["agency"]
    assert version.fees.get().amount_vnd == 150000


def _problems(raw) -> list[dict]:
    with pytest.raises(InvalidInput) as err:
        import_catalog(raw)
    assert err.value.code == "invalid_catalog_file"
    return err.value.details["problems"]


@pytest.mark.parametrize(
    ("mutate", "loc_part"),
    [
        (lambda c: c["procedures"][0]["versions"][0]["fees"][0].update(amount_vnd=-5), "amount_vnd"),
        (lambda c: c["procedures"][0]["versions"][0]["fees"][0].update(amount_vnd=1000.5), "amount_vnd"),
        (lambda c: c["procedures"][0]["versions"][0].update(statutory_time_unit="weeks"), "statutory_time_unit"),
        (lambda c: c["procedures"][0]["versions"][0].update(field="NOPE"), "field"),
        (lambda c: c["procedures"][1]["versions"][0].update(competent_agency="000.00.99.H53"), "competent_agency"),
        (lambda c: c["procedures"][0]["versions"][0].update(unexpected=1), "unexpected"),
        (lambda c: c["procedures"][0]["versions"][0]["steps"][1].update(budget="40"), "steps"),
        (lambda c: c["procedures"].append(copy.deepcopy(c["procedures"][0])), "$"),
        (lambda c: c.update(format="other/1"), "format"),
    ],
)
def test_invalid_files_write_nothing_and_say_where(db, mutate, loc_part):
    data = catalog()
    mutate(data)
    problems = _problems(data)
    assert any(loc_part in p["loc"] or loc_part in p["problem"] for p in problems), problems
    assert not Procedure.objects.exists()


def test_not_json_at_all(db):
    assert _problems(b"{not json")[0]["loc"] == "$"


def test_published_versions_are_never_edited(db):
    import_catalog(catalog())
    data = export_catalog()
    data["procedures"][0]["versions"][0]["name"] = "Đăng ký khai sinh (sửa)"
    problems = _problems(data)
    assert "never edited" in problems[0]["problem"]
    assert ProcedureVersion.objects.get(procedure__code="1.001193").name == "Đăng ký khai sinh"


def test_a_changed_procedure_without_a_version_number_becomes_a_new_version(db):
    import_catalog(catalog())
    changed = copy.deepcopy(BIRTH)
    changed["versions"][0].update(effective_from="2026-01-01", statutory_time="0.5")
    changed["versions"][0]["steps"] = [
        {"name": "Xử lý", "role": "specialist", "budget": "4", "budget_unit": "working_hours"}
    ]
    report = import_catalog(catalog(changed))
    assert report.versions_created == 1
    from datetime import datetime

    from motcua.common.timeutil import VN_TZ

    old = selectors.version_in_force("1.001193", at=datetime(2025, 12, 1, tzinfo=VN_TZ))
    new = selectors.version_in_force("1.001193", at=datetime(2026, 1, 2, tzinfo=VN_TZ))
    assert (old.version, str(old.statutory_time_value)) == (1, "1.00")
    assert (new.version, str(new.statutory_time_value)) == (2, "0.50")


def test_dry_run_writes_nothing(db):
    report = import_catalog(catalog(), dry_run=True)
    assert report.versions_created == 2
    assert not Procedure.objects.exists()


def test_cli_export_and_import(db, tmp_path, capsys):
    source = tmp_path / "in.json"
    source.write_text(json.dumps(catalog(), ensure_ascii=False), encoding="utf-8")
    call_command("catalog", "import", str(source), "--no-progress")
    out = tmp_path / "out.json"
    call_command("catalog", "export", "--output", str(out))
    exported = json.loads(out.read_text(encoding="utf-8"))
    assert [p["code"] for p in exported["procedures"]] == ["1.001193", "1.009972"]
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "motcua.catalog/1", "procedures": [{"code": "x"}]}', encoding="utf-8")
    with pytest.raises(SystemExit) as exit_:
        call_command("catalog", "import", str(bad), "--no-progress")
    assert exit_.value.code == 2
    assert "invalid_catalog_file" in capsys.readouterr().err
