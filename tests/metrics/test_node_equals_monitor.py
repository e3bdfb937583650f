"""Node = monitor, dossier by dossier: for dossiers that entered through the services, the historical
import and the demo generator, the national monitor's figures after sync equal the node's for every
per-dossier indicator, scope and period (catalog indicators need the national procedure database,
which the monitor does not hold: they have no data there)."""

import json

from motcua.catalog.services import import_catalog
from motcua.demo.generator import generate
from motcua.demo.services import demo_catalog_bytes
from motcua.dossiers.models import Dossier, DossierFact
from motcua.metrics import fact_index, rollups
from motcua.national import services as national
from motcua.sync import outbox, payload
from motcua.sync.importer import import_lines
from tests.metrics.conftest import by_id

PER_DOSSIER = ("1.4", "2.1", "3.3", "3.6", "4.1", "4.2", "4.3", "4.4", "5.4")
PERIODS = ("2026", "2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4", "2026-11", "2026-03-02..2026-03-02")


def sync_everything():
    """Deliver every dossier to the monitor as the worker would, and record the acknowledgements."""
    node, _ = national.register_node("H53", "Tỉnh Tây Ninh", ".H53", client_id="h53-test")
    pairs = payload.snapshots(list(Dossier.objects.values_list("id", flat=True)))
    results = national.ingest_dossiers(node, [s for _, s in pairs])
    assert {r["KetQua"] for r in results} == {"accepted"}
    outbox.ack({i: s["PhienBan"] for i, s in pairs})
    return node


def assert_equal_everywhere(node):
    rollups.rebuild()
    agencies = set(DossierFact.objects.values_list("agency__code", flat=True))
    procedures = set(DossierFact.objects.values_list("procedure__code", flat=True))
    scopes = ["node", *(f"agency:{a}" for a in agencies), *(f"procedure:{p}" for p in procedures)]
    compared = 0
    for period in PERIODS:
        for scope in scopes:
            at_node = by_id(fact_index.compute(scope, period))
            from_rollups = by_id(rollups.compute(scope, period))
            at_monitor = by_id(national.node_index(node, period, scope=scope))
            for key in PER_DOSSIER:
                figures = [
                    (r[key]["numerator"], r[key]["denominator"], r[key]["points"])
                    for r in (at_node, from_rollups, at_monitor)
                ]
                assert figures[0] == figures[1] == figures[2], (period, scope, key, figures)
                compared += at_node[key]["denominator"] or 0
    assert compared > 0


def test_dossiers_from_the_services(quarter):
    assert_equal_everywhere(sync_everything())


def test_dossiers_from_the_generator(db, monkeypatch):
    import_catalog(demo_catalog_bytes())
    assert generate(400, batch_size=150) == 400
    assert_equal_everywhere(sync_everything())


def test_dossiers_from_the_importer(procedures):
    from tests.metrics.test_index_rules import dossier

    lines = [
        dossier(1),
        dossier(2, "1.001193", KenhThucHien=2, MucDoHaiLong=1),
        dossier(
            3,
            TrangThaiHoSo=4,
            NgayKetThucXuLy=None,
            NgayTra=None,
            NgayHenTra="20261201170000",
            NgayTiepNhan="20261110090000",
            NgayNopHoSo="20261110080000",
        ),
        dossier(
            4,
            DanhSachLePhi=[{"MaPhiLePhi": "LP", "Gia": 150000}],
            DuocThanhToanTrucTuyen=2,
            DanhSachHoSoBoSung=[{"NgayBoSung": "20260303090000", "NgayTiepNhanBoSung": "20260309090000"}],
        ),
        dossier(
            5,
            TrangThaiHoSo=5,
            NgayKetThucXuLy=None,
            NgayTra=None,
            DanhSachHoSoBoSung=[{"NgayBoSung": "20260325090000"}],
        ),
    ]
    report = import_lines([json.dumps(i, ensure_ascii=False) for i in lines])
    assert report.errors == [] and report.imported == 5
    assert_equal_everywhere(sync_everything())


def test_every_stored_fact_is_reproducible_from_its_dossier(quarter, capsys):
    """What the services kept up to date action by action equals a full derivation; a tampered row is
    found by `motcua index facts --check` and put right by `motcua index facts`."""
    import pytest
    from django.core.management import call_command

    from motcua.dossiers.facts import recompute

    ids = list(Dossier.objects.values_list("id", flat=True))
    assert recompute(ids, write=False) == []
    DossierFact.objects.filter(dossier_id=ids[0]).update(timeliness="late", counted_online=True)
    with pytest.raises(SystemExit):
        call_command("index", "facts", "--check", "--no-progress")
    assert "1 khác / differ" in capsys.readouterr().out
    call_command("index", "facts", "--no-progress")
    assert recompute(ids, write=False) == []
