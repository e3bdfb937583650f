"""Property: for any small history of dossiers loaded through the historical import (the national
payload format), the Decision 766 figures computed three ways — from the node's fact rows, from its
rollups, and by the national monitor after sync — equal each other and equal a reference computed
here, in plain Python, straight from the generated payloads (docs/index766.md, `protocol.facts`'s
docstring). The reference never calls the index engine, `protocol.facts` or `protocol.index766`; the
only product code it uses is the working calendar, for the statutory deadline of a dossier without
an appointment.

Generated: 1–8 dossiers of the birth registration (paper result, no fee, 1 working day) and the
construction permit (150 000 đ fee, 20 days), every status the index reads, receptions on both sides
of the 31/03–01/04 boundary in Vietnam time, appointments given or left to the statutory time,
0–2 supplement requests (the last possibly unanswered), channels, component flags, fee lists,
online payment, result documents with or without a file, ratings.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta

import pytest
from django.db import transaction
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from motcua.common.timeutil import VN_TZ
from motcua.dossiers.models import Dossier
from motcua.metrics import fact_index, rollups
from motcua.national import services as national
from motcua.sync import payload
from motcua.sync.importer import import_lines
from motcua.workdays.services import get_calendar
from tests.metrics.conftest import by_id

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=VN_TZ)
BIRTH, BUILD = "1.001193", "1.009972"
AGENCY = {BIRTH: "000.00.31.H53", BUILD: "000.00.05.H53"}
# what the test catalog (tests/catalog/factories.py) says of each procedure
STATUTORY = {BIRTH: ("1", "working_days"), BUILD: ("20", "days")}
PAPER_RESULT = {BIRTH: True, BUILD: False}
FEE_PROCEDURE = {BIRTH: False, BUILD: True}  # the birth registration lists its fee at 0 đ

PERIODS = {  # received dates (Vietnam time), first and last inclusive
    "2026-Q1": (date(2026, 1, 1), date(2026, 3, 31)),
    "2026-Q2": (date(2026, 4, 1), date(2026, 6, 30)),
    "2026-03-31..2026-04-01": (date(2026, 3, 31), date(2026, 4, 1)),
}
SCOPES = {  # node scope → (payload field, value) it keeps; the monitor is asked the same scope
    "node": None,
    f"agency:{AGENCY[BIRTH]}": ("DonViXuLy", AGENCY[BIRTH]),
    f"agency:{AGENCY[BUILD]}": ("DonViXuLy", AGENCY[BUILD]),
    f"procedure:{BUILD}": ("MaTTHC", BUILD),
}
NOT_AT_THE_MONITOR = {"1.4", "1.3", "3.1", "3.2", "3.5a", "3.5b"}  # sync state and catalog indicators


@pytest.fixture
def fixed_now(monkeypatch):
    monkeypatch.setattr("motcua.common.clock.now", lambda: NOW)


# -- generating histories ------------------------------------------------------------------------------------
def stamp(t: datetime) -> str:
    return t.astimezone(VN_TZ).strftime("%Y%m%d%H%M%S")


def instant(text: str | None) -> datetime | None:
    return datetime.strptime(text, "%Y%m%d%H%M%S").replace(tzinfo=VN_TZ) if text else None


def vn(*args) -> datetime:
    return datetime(*args, tzinfo=VN_TZ)


BOUNDARY_RECEPTIONS = [
    vn(2025, 12, 31, 23, 59, 59),
    vn(2026, 1, 1, 0, 0, 0),
    vn(2026, 3, 31, 16, 59, 59),
    vn(2026, 3, 31, 17, 0, 0),  # 10:00 UTC
    vn(2026, 3, 31, 23, 59, 59),
    vn(2026, 4, 1, 0, 0, 0),
    vn(2026, 4, 1, 23, 59, 59),
    vn(2026, 4, 2, 0, 0, 0),
    vn(2026, 6, 30, 23, 59, 59),
    vn(2026, 7, 1, 0, 0, 0),
]
# appointments on the instants open dossiers are judged at (the ends of the periods)
BOUNDARY_DUES = [
    vn(2026, 3, 31, 23, 59, 59),
    vn(2026, 4, 1, 0, 0, 0),
    vn(2026, 4, 1, 0, 0, 1),
    vn(2026, 4, 1, 23, 59, 59),
    vn(2026, 4, 2, 0, 0, 0),
    vn(2026, 6, 30, 23, 59, 59),
    vn(2026, 7, 1, 0, 0, 0),
]
receptions = st.one_of(
    st.sampled_from(BOUNDARY_RECEPTIONS),
    st.datetimes(datetime(2026, 1, 1), datetime(2026, 7, 2)).map(lambda t: t.replace(microsecond=0, tzinfo=VN_TZ)),
)
DAY = 86400
gaps = st.one_of(
    st.sampled_from([0, 1, 3600, 4 * 3600, DAY, 3 * DAY, 9 * DAY, 20 * DAY]),
    st.integers(0, 20 * DAY),
).map(lambda s: timedelta(seconds=s))
flags = st.sampled_from([0, 1, None])  # None: the field is left out


def without_none(d: dict) -> dict:
    return {k: v for k, v in d.items() if v is not None}


component = st.builds(
    lambda code, digitized, reuse, replaced, store: without_none(
        {
            "MaThanhPhanHoSo": code,
            "TenTepDinhKem": code,
            "DuocSoHoa": digitized,
            "DuocTaiSuDung": reuse,
            "MaKetQuaThayThe": replaced,
            "DuocLayTuKhoDMQG": store,
        }
    ),
    st.sampled_from(["TK", "GCS", "DN"]),
    flags,
    st.sampled_from([0, 1, 2, None]),
    st.sampled_from([None, "KQ-CU-01"]),
    flags,
)
fee = st.builds(
    lambda amount: {"MaPhiLePhi": "LP", "TenPhiLePhi": "Lệ phí", "Gia": amount}, st.sampled_from([0, 150000])
)
result = st.builds(
    lambda code, link: without_none({"MaKetQua": code, "TenGiayTo": "Kết quả", "DuongDanTepTinKetQua": link}),
    st.sampled_from(["GKS", None]),
    st.sampled_from(["https://ketqua.tayninh.gov.vn/kq-0001.pdf", "kq-0001.pdf", None]),
)


@st.composite
def supplements(draw, received: datetime) -> tuple[list[dict], datetime]:
    """0–2 requests, one after the other, the last one possibly unanswered; also the instant after them."""
    out, t = [], received
    n = draw(st.integers(0, 2))
    for i in range(n):
        t += draw(gaps)
        request = {"NgayBoSung": stamp(t)}
        if i < n - 1 or draw(st.booleans()):
            t += draw(gaps)
            request["NgayTiepNhanBoSung"] = stamp(t)
        out.append(request)
    return out, t


@st.composite
def ends(draw, status: int, after: datetime, unanswered: bool) -> dict:
    """NgayKetThucXuLy / NgayTra as the schema allows them for the status."""
    ended = after + draw(gaps)
    returned = ended + draw(gaps)
    if status == 9:
        return {"NgayKetThucXuLy": stamp(ended)}
    if status == 10:
        which = draw(st.sampled_from(["both", "end", "return"]))
        return without_none(
            {
                "NgayKetThucXuLy": stamp(ended) if which != "return" else None,
                "NgayTra": stamp(returned) if which != "end" else None,
            }
        )
    if status in (7, 8) and not (unanswered and draw(st.booleans())):
        return {"NgayKetThucXuLy": stamp(ended)}
    if status in (2, 4, 5, 6, 7, 8) and draw(st.integers(0, 5)) == 0:  # an end the status does not count
        return {"NgayKetThucXuLy": stamp(ended)}
    return {}


@st.composite
def histories(draw) -> dict:
    """One dossier as a DongBoHoSoMC item (without its code)."""
    procedure = draw(st.sampled_from([BIRTH, BUILD]))
    status = draw(st.sampled_from([2, 4, 5, 6, 7, 8, 9, 10]))
    received = None if status in (5, 7) and draw(st.integers(0, 3)) == 0 else draw(receptions)
    value, unit = STATUTORY[procedure]
    item = {
        "MaTTHC": procedure,
        "DonViXuLy": AGENCY[procedure],
        "ChuHoSo": "Nguyễn Văn A",
        "TrangThaiHoSo": status,
        "KenhThucHien": draw(st.sampled_from([1, 2, 3, None])),
        "ThoiGianGiaiQuyet": value,
        "DonViTinh": unit,
        "TaiLieuNop": draw(st.none() | st.lists(component, max_size=3)),
        "DanhSachLePhi": draw(st.none() | st.lists(fee, min_size=1, max_size=2)),
        "DuocThanhToanTrucTuyen": draw(st.sampled_from([0, 1, 2, None])),
        "DanhSachGiayToKetQua": draw(st.lists(result, max_size=2)) if status in (9, 10) else None,
        "MucDoHaiLong": draw(st.sampled_from([1, 2, 3, None])),
    }
    if received is None:  # asked to supplement at the counter, or withdrawn, before any reception
        item["NgayNopHoSo"] = stamp(draw(receptions))
        return without_none(item)
    requests, after = draw(supplements(received))
    unanswered = any("NgayTiepNhanBoSung" not in s for s in requests)
    due = draw(
        st.sampled_from([None, "gap", "boundary"]).flatmap(
            lambda kind: (
                st.just(None)
                if kind is None
                else gaps.map(lambda g: received + g)
                if kind == "gap"
                else st.sampled_from([t for t in BOUNDARY_DUES if t >= received] or [received])
            )
        )
    )
    item.update(
        NgayNopHoSo=stamp(received - draw(gaps)),
        NgayTiepNhan=stamp(received),
        NgayHenTra=stamp(due) if due else None,
        DanhSachHoSoBoSung=requests or None,
        **draw(ends(status, after, unanswered)),
    )
    return without_none(item)


def coded(items: list[dict]) -> list[dict]:
    """Unique codes, each starting with the code of its agency (a code of node H53)."""
    return [{"MaHoSo": f"{i['DonViXuLy']}-260331-{n:04d}", **i} for n, i in enumerate(items, 1)]


# -- the reference ---------------------------------------------------------------------------------------------
def end_of_processing(d: dict) -> datetime | None:
    status = d["TrangThaiHoSo"]
    if status in (9, 10):
        return instant(d.get("NgayKetThucXuLy")) or instant(d.get("NgayTra"))
    unanswered = [instant(s["NgayBoSung"]) for s in d.get("DanhSachHoSoBoSung", []) if not s.get("NgayTiepNhanBoSung")]
    if unanswered:
        return min(unanswered)
    if status in (3, 7, 8):
        return instant(d.get("NgayKetThucXuLy"))
    return None


def on_time(d: dict, as_of: datetime, calendar) -> bool:
    received = instant(d["NgayTiepNhan"])
    requests = d.get("DanhSachHoSoBoSung", [])
    waited = sum(
        (instant(s["NgayTiepNhanBoSung"]) - instant(s["NgayBoSung"]) for s in requests if s.get("NgayTiepNhanBoSung")),
        timedelta(0),
    )
    due = instant(d.get("NgayHenTra")) or calendar.deadline(received, *STATUTORY[d["MaTTHC"]])
    moment = end_of_processing(d) or as_of  # an open dossier is judged at as_of
    return len(requests) <= 1 and moment - waited <= due


def verdicts(d: dict, as_of: datetime, calendar) -> dict[str, bool]:
    """What each indicator reads of one received dossier."""
    procedure, status = d["MaTTHC"], d["TrangThaiHoSo"]
    paper = PAPER_RESULT[procedure]
    resolved = status in (9, 10)
    e_result = resolved and any(
        r.get("MaKetQua") and r.get("DuongDanTepTinKetQua") for r in d.get("DanhSachGiayToKetQua", [])
    )
    components = d.get("TaiLieuNop", [])
    fee_bearing = FEE_PROCEDURE[procedure] and any(f["Gia"] > 0 for f in d.get("DanhSachLePhi", []))
    timely = on_time(d, as_of, calendar)
    return {
        "on_time": timely,
        "online": d.get("KenhThucHien") == 2 and (not paper or e_result),
        "fee_bearing": fee_bearing,
        "paid_online": fee_bearing and d.get("DuocThanhToanTrucTuyen") in (1, 2),
        "paper_resolved": paper and resolved,
        "paper_resolved_e_result": paper and resolved and e_result,
        "digitized": bool(components) and all(c.get("DuocSoHoa") == 1 for c in components) and (not paper or e_result),
        "reused": any(c.get("DuocTaiSuDung") in (1, 2) for c in components),
        "from_data_store": any(c.get("DuocLayTuKhoDMQG") == 1 for c in components),
        "satisfied_and_timely": timely and d.get("MucDoHaiLong") != 1,
    }


def reference(items: list[dict], scope: str, period: str, calendar) -> dict[str, tuple[int, int]]:
    """(numerator, denominator) of each checked indicator, from the payloads alone."""
    first, last = PERIODS[period]
    period_end = vn(last.year, last.month, last.day) + timedelta(days=1)
    as_of = min(NOW, period_end)
    keep = SCOPES[scope]
    received = [
        d
        for d in items
        if d.get("NgayTiepNhan")
        and first <= instant(d["NgayTiepNhan"]).date() <= last
        and (keep is None or d[keep[0]] == keep[1])
    ]
    v = [verdicts(d, as_of, calendar) for d in received]

    def n(key):
        return sum(x[key] for x in v)

    return {
        "2.1": (n("on_time"), len(v)),
        "3.3": (n("online"), len(v)),
        "3.6": (n("paid_online"), n("fee_bearing")),
        "4.1": (n("paper_resolved_e_result"), n("paper_resolved")),
        "4.2": (n("digitized"), len(v)),
        "4.3": (n("reused"), len(v)),
        "4.4": (n("from_data_store"), len(v)),
        "5.4": (n("satisfied_and_timely"), len(v)),  # received − |late ∪ disliked|
    }


# -- the three computations ------------------------------------------------------------------------------------
def load_and_sync(items: list[dict]):
    report = import_lines([json.dumps(i, ensure_ascii=False) for i in items])
    assert report.errors == [] and report.imported == len(items), report.errors
    rollups.rebuild()
    node, _ = national.register_node("H53", "Tỉnh Tây Ninh", ".H53", client_id="h53-test")
    snapshots = [s for _, s in payload.snapshots(list(Dossier.objects.values_list("id", flat=True)))]
    assert {r["KetQua"] for r in national.ingest_dossiers(node, snapshots)} == {"accepted"}
    return node


def check(items: list[dict], node, scope: str, period: str, calendar) -> None:
    facts = by_id(fact_index.compute(scope, period))
    from_rollups = by_id(rollups.compute(scope, period))
    monitor = by_id(national.node_index(node, period, scope=scope))
    where = f"{scope} {period}"
    assert from_rollups == facts, f"rollups ≠ facts, {where}"
    for key in facts.keys() - NOT_AT_THE_MONITOR:
        got = (monitor[key]["numerator"], monitor[key]["denominator"])
        assert got == (facts[key]["numerator"], facts[key]["denominator"]), f"monitor ≠ facts, {key} {where}"
    for key, expected in reference(items, scope, period, calendar).items():
        for source, figures in (("facts", facts), ("rollups", from_rollups), ("monitor", monitor)):
            got = figures[key]
            assert (got["numerator"], got["denominator"]) == expected, f"{source} ≠ reference, {key} {where}"
            if not got["denominator"]:
                assert got["rate"] is None and got["points"] is None, f"{source}: {key} {where}"


# received at 17:00 on 31/03 (10:00 UTC), open, due exactly when Q1 ends (within); a component reused and
# replaced (DuocTaiSuDung 2) without naming the replacing result — the import once dropped it from 4.3
REGRESSION = {
    "MaTTHC": BIRTH,
    "DonViXuLy": AGENCY[BIRTH],
    "ChuHoSo": "Nguyễn Văn A",
    "TrangThaiHoSo": 4,
    "ThoiGianGiaiQuyet": "1",
    "DonViTinh": "working_days",
    "NgayNopHoSo": "20260331165959",
    "NgayTiepNhan": "20260331170000",
    "NgayHenTra": "20260401000000",
    "TaiLieuNop": [{"MaThanhPhanHoSo": "TK", "DuocSoHoa": 1, "DuocTaiSuDung": 2}],
}


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(generated=st.lists(histories(), min_size=1, max_size=8))
@example(generated=[REGRESSION])
def test_facts_rollups_and_monitor_equal_the_reference(procedures, fixed_now, generated):
    items = coded(generated)
    with transaction.atomic():  # each example starts from the fixtures' state
        node = load_and_sync(items)
        calendar = get_calendar()
        for period in PERIODS:
            for scope in SCOPES:
                check(items, node, scope, period, calendar)
        transaction.set_rollback(True)
