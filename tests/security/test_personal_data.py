"""Issue 12: CCCD numbers, phones, e-mails and addresses are stored encrypted (with key rotation),
found by keyed hashes, and production refuses to start without its keys."""

import os
import subprocess
import sys

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection

from motcua.common import crypto
from motcua.dossiers.models import Dossier
from tests.dossiers.conftest import Api, birth_submission

PHONE, CCCD = "0912345678", "080095000123"


def _raw(code: str) -> dict:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT applicant_id_number, applicant_phone, applicant_address, applicant_id_hash "
            "FROM dossiers_dossier WHERE code = %s",
            [code],
        )
        return dict(zip(["id", "phone", "address", "id_hash"], cursor.fetchone(), strict=True))


@pytest.fixture
def desk(procedures, django_user_model):
    return Api(django_user_model.objects.get(username="tanan.tiepnhan"))


def test_personal_data_is_stored_encrypted_and_read_back_plain(desk):
    body = birth_submission()
    body["applicant"]["address"] = "Số 5, ấp Bình Hòa"
    code = desk.post("/dossiers", body).json()["code"]
    raw = _raw(code)
    for column in ("id", "phone", "address"):
        assert raw[column].startswith(crypto.PREFIX), column
    assert CCCD not in str(raw) and PHONE not in str(raw) and "Bình Hòa" not in str(raw)
    d = Dossier.objects.get(code=code)
    assert (d.applicant_id_number, d.applicant_phone, d.applicant_address) == (CCCD, PHONE, "Số 5, ấp Bình Hòa")
    assert desk.get(f"/dossiers/{code}").json()["applicant"]["id_number"] == CCCD
    # the public tracking compares the phone after decryption
    assert desk.client.get(f"/api/v1/public/tracking/{code}", {"phone": "+84 912 345 678"}).status_code == 200


def test_staff_find_a_dossier_by_the_applicants_number_through_a_keyed_hash(desk):
    code = desk.post("/dossiers", birth_submission()).json()["code"]
    other = birth_submission()
    other["applicant"].update(phone="0987000111", id_number="080095000999")
    desk.post("/dossiers", other)
    for wanted in (CCCD, PHONE, "+84912345678"):
        found = desk.get("/dossiers", {"applicant": wanted}).json()["items"]
        assert [d["code"] for d in found] == [code], wanted
    assert desk.get("/dossiers", {"applicant": "080095000000"}).json()["items"] == []
    assert _raw(code)["id_hash"] == crypto.search_hash(CCCD)


def test_rotation_re_encrypts_with_the_new_key(desk, settings):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.MOTCUA_FIELD_KEYS = [old]
    crypto.forget_keys()
    code = desk.post("/dossiers", birth_submission()).json()["code"]
    before = _raw(code)["phone"]
    settings.MOTCUA_FIELD_KEYS = [new, old]  # the new key in front, the old one still reads
    crypto.forget_keys()
    assert Dossier.objects.get(code=code).applicant_phone == PHONE
    call_command("keys", "rotate", "--no-progress")
    after = _raw(code)["phone"]
    assert after != before
    settings.MOTCUA_FIELD_KEYS = [new]  # the old key can go
    crypto.forget_keys()
    assert Dossier.objects.get(code=code).applicant_phone == PHONE
    crypto.forget_keys()


def test_production_refuses_to_start_without_the_field_keys():
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("MOTCUA_DEV", "DEBUG", "MOTCUA_FIELD_KEYS", "MOTCUA_FIELD_HASH_KEY")
    }
    env.update(SECRET_KEY="k" + "".join(chr(48 + i % 70) for i in range(80)), DJANGO_SETTINGS_MODULE="motcua.settings")
    done = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"], env=env, capture_output=True, text=True
    )
    assert done.returncode != 0
    assert "MOTCUA_FIELD_KEYS" in done.stderr
    env.update(MOTCUA_FIELD_KEYS=Fernet.generate_key().decode(), MOTCUA_FIELD_HASH_KEY="h" * 40)
    done = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"], env=env, capture_output=True, text=True
    )
    assert "MOTCUA_FIELD_KEYS" not in done.stderr
