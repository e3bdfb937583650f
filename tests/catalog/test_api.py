"""The public catalog API: diacritic-insensitive search, filters, pagination, detail."""

import pytest

from motcua.catalog.services import import_catalog
from tests.catalog.factories import catalog


@pytest.fixture
def published(db):
    import_catalog(catalog())


@pytest.mark.parametrize("q", ["dang ky khai sinh", "Đăng ký khai sinh", "ĐĂNG KÝ KHAI", "khai  sinh", "1.001193"])
def test_search_ignores_diacritics_and_case(api, published, q):
    r = api.get("/api/v1/procedures", {"q": q})
    assert r.status_code == 200
    assert [i["code"] for i in r.json()["items"]] == ["1.001193"]


def test_filters_and_keyset_pagination(api, published):
    page = api.get("/api/v1/procedures", {"limit": 1}).json()
    assert len(page["items"]) == 1 and page["next_cursor"] == "1.001193"
    rest = api.get("/api/v1/procedures", {"limit": 1, "cursor": page["next_cursor"]}).json()
    assert [i["code"] for i in rest["items"]] == ["1.009972"] and rest["next_cursor"] is None
    assert [i["code"] for i in api.get("/api/v1/procedures", {"level": "province"}).json()["items"]] == ["1.009972"]
    assert api.get("/api/v1/procedures", {"field": "HOTICH"}).json()["items"][0]["total_fee_vnd"] == 0


def test_detail_has_components_fees_steps(api, published):
    r = api.get("/api/v1/procedures/1.009972")
    assert r.status_code == 200
    body = r.json()
    assert body["statutory_time"] == "20" and body["statutory_time_unit"] == "days"
    assert body["fees"][0]["amount_vnd"] == 150000
    assert [s["inter_agency"] for s in body["steps"]] == [False, False, True, False]
    assert body["competent_agency_name"] == "Sở Xây dựng tỉnh Tây Ninh"


def test_unknown_code_is_a_404_with_a_code(api, published):
    r = api.get("/api/v1/procedures/9.999999")
    assert r.status_code == 404
    assert r.json()["code"] == "procedure_not_found" and r.json()["message_en"]


def test_bad_limit(api, published):
    r = api.get("/api/v1/procedures", {"limit": 0})
    assert r.status_code == 400 and r.json()["code"] == "invalid_limit"
    r = api.get("/api/v1/procedures", {"limit": "many"})
    assert r.status_code == 400 and r.json()["code"] == "invalid_limit"


def test_openapi_schema_lists_the_endpoints(api):
    paths = api.get("/api/openapi.json").json()["paths"]
    assert {
        "/api/v1/workdays/deadline",
        "/api/v1/workdays/between",
        "/api/v1/procedures",
        "/api/v1/procedures/{code}",
    } <= set(paths)


def test_public_lookups_are_rate_limited(api, published, settings):
    from django.core.cache import cache

    settings.MOTCUA_PUBLIC_API_RATE = "3/m"
    cache.clear()
    codes = [api.get("/api/v1/procedures", {"q": "khai sinh"}).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    r = api.get("/api/v1/procedures")
    assert r.json()["code"] == "rate_limited" and r["Retry-After"]
    cache.clear()
