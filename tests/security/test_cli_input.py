"""Commands that read files, under bad input (issue 12, defect 12): a missing or unreadable file,
text that is not UTF-8, JSON nested too deep, or a line of the wrong shape never prints a traceback —
the command exits 2 with a stable code and Vietnamese and English messages. `import-dossiers`
refuses bad lines one by one and still imports the valid lines of the same batch; `catalog import`
stays all-or-nothing (a catalog is one document whose parts refer to each other) and reports every
problem with its location."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

from motcua.catalog.models import Procedure
from motcua.dossiers.models import Dossier
from tests.catalog.factories import catalog
from tests.dossiers.conftest import procedures  # noqa: F401  (the small test catalog)
from tests.sync.factories import old_system_line as line

BIN = Path(sys.executable).parent


def code(n: int) -> str:
    return f"000.00.01.H53-250310-{n:04d}"


def run(*args) -> tuple[int, str, str]:
    """The command as call_command runs it: (exit status, stdout, stderr)."""
    from io import StringIO

    out, err = StringIO(), StringIO()
    real_err = sys.stderr
    sys.stderr = err  # domain errors are printed on the process's stderr
    try:
        call_command(*args, stdout=out, stderr=err)
        status = 0
    except SystemExit as exc:
        status = exc.code
    finally:
        sys.stderr = real_err
    return status, out.getvalue(), err.getvalue()


# -- import-dossiers ----------------------------------------------------------------------------------
def test_a_missing_file_or_a_directory_exits_2_with_a_code(db, tmp_path):
    status, _, err = run("import-dossiers", str(tmp_path / "nope.jsonl"), "--no-progress")
    assert status == 2 and "[file_not_found]" in err and "Lỗi" in err and "Error" in err
    status, _, err = run("import-dossiers", str(tmp_path), "--no-progress")
    assert status == 2 and "[file_unreadable]" in err


def test_the_real_command_prints_no_traceback(tmp_path):
    env = {**os.environ, "MOTCUA_DEV": "1", "DATABASE_URL": f"sqlite:///{tmp_path / 'unused.sqlite3'}"}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    for args in (["import-dossiers", str(tmp_path / "nope.jsonl")], ["catalog", "import", str(tmp_path / "nope.json")]):
        done = subprocess.run([str(BIN / "motcua"), *args], env=env, capture_output=True, text=True, timeout=120)
        assert done.returncode == 2, done.stderr
        assert "Traceback" not in done.stderr and "[file_not_found]" in done.stderr


def test_bad_lines_are_refused_one_by_one_and_the_valid_lines_of_the_batch_load(procedures, tmp_path):  # noqa: F811
    good = [line(code(1)), line(code(2)), line(code(3))]
    bad_lines = [
        (b"\xff\xfe not utf-8", "invalid_utf8"),
        (b"{" * 1 + b'"a": ' + b"[" * 50_000 + b"]" * 50_000 + b"}", "too_deep"),
        (b"{broken json", "invalid_json"),
        (b'{"MaHoSo": 1' + b"0" * 5000 + b"}", "invalid_json"),
        (b"[]", "not_an_object"),
        (b"null", "not_an_object"),
        (b'"x"', "not_an_object"),
        (json.dumps(line(code(4), MaHoSo=["x"])).encode(), "invalid_field"),  # unhashable: aborted the run
        (json.dumps({**line(code(5)), "MaHoSo": {"a": 1}}).encode(), "invalid_field"),
        (json.dumps(line(code(6), TaiLieuNop="abc")).encode(), "invalid_field"),
        (json.dumps(line(code(7), ChuHoSo="Công ty\x00Cũ")).encode(), "control_character"),  # PostgreSQL: a lost batch
        (json.dumps(line(code(8), ChuHoSo="Công ty\ud800")).encode(), "invalid_unicode"),
        (json.dumps(line(code(9), DanhSachLePhi=[{"MaPhiLePhi": "LP", "Gia": 10**16}])).encode(), "out_of_range"),
        (json.dumps(line(code(10), SoTienNghiaVuTaiChinh=2**63)).encode(), "number_too_large"),
        (json.dumps(line(code(11), MaTTHC="1.009972\x00")).encode(), "control_character"),
        (json.dumps(line("000.00.01.H53-250310-" + "1" * 30)).encode(), "too_long"),
        (json.dumps(line(code(12), NgayNopHoSo="00010101000000")).encode(), "invalid_field"),
        (json.dumps(line(code(1))).encode(), "duplicate_line"),
    ]
    raw = [json.dumps(good[0]).encode(), *[b for b, _ in bad_lines], *[json.dumps(g).encode() for g in good[1:]]]
    path = tmp_path / "old.jsonl"
    path.write_bytes(b"\n".join(raw) + b"\n")
    status, out, err = run("import-dossiers", str(path), "--no-progress", "--batch", "100")
    assert status == 2 and "[lines_refused]" in err
    counts = json.loads(out)
    assert counts == {"lines": len(raw), "imported": 3, "skipped": 0, "errors": len(bad_lines)}
    reported = [x.split(": [", 1) for x in err.splitlines() if x.startswith("dòng / line ")]
    assert [(int(n.removeprefix("dòng / line ")), e.split("]")[0]) for n, e in reported] == [
        (number, error) for number, (_, error) in enumerate(bad_lines, 2)
    ]  # in line order, each with its code
    assert set(Dossier.objects.values_list("code", flat=True)) == {code(1), code(2), code(3)}
    assert "Traceback" not in err


def test_a_line_the_database_refuses_does_not_drop_its_batch(procedures, tmp_path, monkeypatch):  # noqa: F811
    from django.db import DataError

    from motcua.dossiers import bulk

    original = bulk.write

    def picky(batch, now, **kw):
        if any(d["code"] == code(2) for d in batch.dossiers):
            raise DataError("value too long for type character varying(40)")
        return original(batch, now, **kw)

    monkeypatch.setattr(bulk, "write", picky)
    path = tmp_path / "old.jsonl"
    path.write_text("\n".join(json.dumps(line(code(n))) for n in (1, 2, 3)) + "\n", encoding="utf-8")
    status, out, err = run("import-dossiers", str(path), "--no-progress")
    assert status == 2 and "line 2: [not_storable]" in err
    assert json.loads(out)["imported"] == 2
    assert set(Dossier.objects.values_list("code", flat=True)) == {code(1), code(3)}


def test_a_clean_file_exits_0(procedures, tmp_path):  # noqa: F811
    path = tmp_path / "old.jsonl"
    path.write_text(json.dumps(line(code(1))) + "\n\n", encoding="utf-8")
    status, out, _ = run("import-dossiers", str(path), "--no-progress")
    assert status == 0 and json.loads(out)["imported"] == 1


# -- catalog import / export -----------------------------------------------------------------------------
def _catalog_file(tmp_path, raw: bytes) -> str:
    path = tmp_path / "catalog.json"
    path.write_bytes(raw)
    return str(path)


def _with_name(name: str) -> bytes:
    data = catalog()
    data["procedures"][0]["versions"][0]["name"] = name
    return json.dumps(data).encode()


CATALOG_INPUTS = [
    (b"\xff\xfe{}", "invalid_utf8"),
    (b'{"format": "motcua.catalog/1", "fields": ' + b"[" * 50_000 + b"]" * 50_000 + b"}", "too_deep"),
    (b'{"format": "motcua.catalog/1", "procedures": [' + b"[" * 40 + b"]" * 40 + b"]}", "too_deep"),
    (b'{"format": "motcua.catalog/1", "x": 1' + b"0" * 5000 + b"}", "invalid_json"),
    (b'{"format": NaN}', "invalid_json"),
    (_with_name("Đăng ký\x00khai sinh"), "control_character"),
    (_with_name("Đăng ký\ud800"), "invalid_unicode"),
    (b"[]", None),
    (b"null", None),
]


@pytest.mark.parametrize(("raw", "problem"), CATALOG_INPUTS, ids=[p or "shape" for _, p in CATALOG_INPUTS])
def test_catalog_import_refuses_bad_files_with_exit_2(db, tmp_path, raw, problem):
    status, _, err = run("catalog", "import", _catalog_file(tmp_path, raw), "--no-progress")
    assert status == 2 and "[invalid_catalog_file]" in err, err
    if problem:
        assert f"[{problem}]" in err
    assert not Procedure.objects.exists()


def test_catalog_import_of_a_missing_file_and_export_to_a_bad_path_exit_2(db, tmp_path):
    status, _, err = run("catalog", "import", str(tmp_path / "nope.json"), "--no-progress")
    assert status == 2 and "[file_not_found]" in err
    status, _, err = run("catalog", "export", "--output", str(tmp_path / "no" / "such" / "dir.json"))
    assert status == 2 and "[file_unwritable]" in err
