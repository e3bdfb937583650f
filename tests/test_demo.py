"""The demo province: realistic, complete enough to use, and loadable twice."""

from motcua.catalog import selectors
from motcua.catalog.models import ProcedureVersion, ProcessStep
from motcua.demo.services import demo_catalog_bytes, load_demo
from motcua.org.models import Agency, StaffRole


def test_demo_loads_and_is_idempotent(db):
    first = load_demo()
    assert first["catalog"]["versions_created"] >= 60
    second = load_demo()
    assert second["catalog"]["versions_created"] == 0 and second["catalog"]["drafts_updated"] == 0
    assert second["agencies"] == first["agencies"]


def test_demo_has_what_the_issue_asks_for(db):
    load_demo()
    in_force = selectors.versions_in_force()
    assert in_force.count() >= 60
    liên_thông = in_force.filter(steps__inter_agency=True).distinct().count()
    assert liên_thông >= 3
    names = " ".join(in_force.values_list("search_text", flat=True))
    for must in (
        "khai sinh",
        "ket hon",
        "khai tu",
        "thuong tru",
        "doanh nghiep",
        "giay phep xay dung",
        "quyen su dung dat",
        "ly lich tu phap",
        "nghia vu quan su",
    ):
        assert must in names, must
    assert ProcedureVersion.objects.filter(version__gt=1).exists()  # some procedures changed over time
    assert Agency.objects.filter(kind="commune_pc", province_id="80").count() >= 12
    assert Agency.objects.filter(is_one_stop_desk=True).count() >= 13
    assert set(StaffRole.objects.values_list("role", flat=True)) == set(StaffRole.Role.values)
    # every step is performed by a role that exists and every budget is positive
    assert not ProcessStep.objects.filter(budget_value__lte=0).exists()


def test_the_demo_catalog_file_is_valid_json_in_the_interchange_format():
    from motcua.catalog.services import parse_catalog

    assert len(parse_catalog(demo_catalog_bytes()).procedures) >= 60
