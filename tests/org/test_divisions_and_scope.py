"""Administrative divisions, the agency tree and staff scoping."""

import pytest

from motcua.demo import org_data as D
from motcua.org import selectors
from motcua.org.models import Agency, Commune, LegacyProvince, Province, StaffRole
from motcua.org.services import assign_role, load_divisions


def test_the_34_provinces_and_3321_communes_are_loaded(db):
    assert Province.objects.count() == 34
    assert Commune.objects.count() == 3321
    assert Province.objects.get(code="80").name == "Tây Ninh"


def test_loading_again_changes_nothing(db):
    assert load_divisions() == {"provinces": 34, "communes": 3321, "legacy_provinces": 63}


def test_every_former_province_maps_to_one_of_the_34(db):
    legacy = LegacyProvince.objects.select_related("successor")
    assert legacy.count() == 63
    assert LegacyProvince.objects.get(code="72").successor.code == "80"  # Tây Ninh → Tây Ninh (ex-Long An code)
    assert LegacyProvince.objects.get(code="72").citizen_id_prefix == "072"
    # the 11 provinces that were not merged keep their own code
    unchanged = [p for p in legacy if p.code == p.successor.code]
    assert len(unchanged) >= 11
    assert set(Province.objects.values_list("code", flat=True)) == {p.successor.code for p in legacy}


def test_commune_search_column_folds_diacritics(db):
    assert Commune.objects.filter(name_folded__contains="hoa thanh", province_id="80").exists()


def test_agency_tree_paths_and_subtree(db):
    justice = Agency.objects.get(code=D.code(3))
    assert justice.tree_path == f"/{D.PPC}/{D.code(3)}/"
    codes = set(selectors.subtree(justice).values_list("code", flat=True))
    assert codes == {D.code(3), D.code(3, 1), D.code(3, 2)}


def test_moving_an_agency_moves_its_subtree(db):
    justice = Agency.objects.get(code=D.code(3))
    justice.parent = Agency.objects.get(code=D.CENTRE)
    justice.save()
    division = Agency.objects.get(code=D.code(3, 1))
    assert division.tree_path == f"/{D.PPC}/{D.CENTRE}/{D.code(3)}/{D.code(3, 1)}/"


def test_staff_scope_is_their_agency_subtree(db, django_user_model):
    specialist = django_user_model.objects.get(username="tuphap.chuyenvien")
    visible = set(selectors.agencies_in_scope(specialist).values_list("code", flat=True))
    assert D.code(3, 1) in visible and D.code(4) not in visible
    admin = django_user_model.objects.get(username="quantri")
    assert selectors.agencies_in_scope(admin).count() == Agency.objects.filter(province_id="80").count()
    nobody = django_user_model.objects.create_user("khach", password="x")
    assert not selectors.agencies_in_scope(nobody).exists()


def test_roles_give_admin_access_only_to_administrators_and_inspectors(db, django_user_model):
    assert django_user_model.objects.get(username="quantri").is_staff
    assert django_user_model.objects.get(username="thanhtra").is_staff
    assert not django_user_model.objects.get(username="tiepnhan.tinh").is_staff
    inspector = django_user_model.objects.get(username="thanhtra")
    assert inspector.has_perm("catalog.view_procedure") and not inspector.has_perm("catalog.change_procedure")


def test_assign_role_rejects_a_unit_outside_the_agency(db, django_user_model):
    from motcua.common.errors import InvalidInput

    user = django_user_model.objects.create_user("moi", password="x")
    with pytest.raises(InvalidInput) as err:
        assign_role(user, "specialist", Agency.objects.get(code=D.code(3)), Agency.objects.get(code=D.code(4, 1)))
    assert err.value.code == "unit_outside_agency"
    assert not StaffRole.objects.filter(user=user).exists()


def test_every_role_has_demo_staff(db):
    assert set(StaffRole.objects.values_list("role", flat=True)) == set(StaffRole.Role.values)
