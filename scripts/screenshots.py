"""Refresh docs/screenshots/: the main pages at desktop and phone width, from a throwaway demo.

    make screenshots
It builds a fresh SQLite demo under a temporary folder (demo province + 300 generated dossiers +
one citizen dossier), serves it, and drives Debian's Chromium with Playwright.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
BIN = Path(sys.executable).parent
PORT = 8799
SIZES = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


def motcua(env, *args):
    subprocess.run([str(BIN / "motcua"), *args], env=env, check=True, stdout=subprocess.DEVNULL)


def seed(env) -> str:
    """A citizen with a received dossier, for the portal pages; returns its code."""
    code = subprocess.run(
        [str(BIN / "python"), "-c", SEED], env=env, check=True, capture_output=True, text=True
    ).stdout.strip()
    return code.splitlines()[-1]


SEED = """
import django; django.setup()
from motcua.catalog.selectors import version_in_force
from motcua.identity.models import User
from motcua.dossiers import services
u, _ = User.objects.get_or_create(
    username="080195000321", defaults=dict(kind="citizen", full_name="Nguyễn Thị Mai", phone="0987654321"))
u.set_password("Motcua@2026"); u.save()
required = version_in_force("1.001193").components.filter(required=True)
d = services.submit(u, services.Submission(
    procedure_code="1.001193", applicant_type=1, applicant_name="Nguyễn Thị Mai", applicant_phone="0987654321",
    commune_code="27712", components=[{"code": c.code, "digitized": True} for c in required],
    form_data={"ho_ten_tre": "Nguyễn Minh An", "ngay_sinh": "2026-11-01", "gioi_tinh": "Nam", "noi_sinh": "Tân An",
               "ho_ten_me": "Nguyễn Thị Mai", "quan_he": "Mẹ"}))
services.receive(d.code, User.objects.get(username="tanan.tiepnhan"))
print(d.code)
"""


def main() -> None:
    tmp = tempfile.mkdtemp(prefix="motcua-shots-")
    env = {
        **os.environ,
        "MOTCUA_DEV": "1",
        "MOTCUA_VAR_DIR": tmp,
        "DJANGO_SETTINGS_MODULE": "motcua.settings",
        "LOG_LEVEL": "WARNING",
    }
    env.pop("DATABASE_URL", None)
    motcua(env, "migrate", "-v0")
    motcua(env, "demo", "--no-progress")
    motcua(env, "generate_dossiers", "--count", "300", "--no-progress")
    code = seed(env)
    server = subprocess.Popen(
        [str(BIN / "motcua"), "runserver", f"127.0.0.1:{PORT}", "--noreload"],
        env={**env, "DEBUG": "1"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{PORT}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{base}/healthz")
                break
            except OSError:
                time.sleep(0.2)
        OUT.mkdir(parents=True, exist_ok=True)
        shoot(base, code, totp_codes(env))
    finally:
        server.terminate()
    print(f"screenshots written to {OUT}")


def totp_codes(env):
    """The demo leaders' current code (`motcua demo --totp`), each time a new one: a code is accepted once."""
    used: set[int] = set()

    def code() -> str:
        while int(time.time() // 30) in used:
            time.sleep(1)
        used.add(int(time.time() // 30))
        done = subprocess.run([str(BIN / "motcua"), "demo", "--totp"], env=env, capture_output=True, text=True)
        return done.stdout.strip().splitlines()[-1]

    return code


def shoot(base: str, code: str, code_now) -> None:
    public = {
        "home": "/",
        "search": "/thu-tuc/?q=dang+ky",
        "procedure": "/thu-tuc/1.001193/",
        "tracking": f"/tra-cuu/?code={code}&phone=0987654321",
        "login": "/dang-nhap/",
        "transparency": "/cong-khai/chi-so/?ky=2026",
    }
    citizen = {"wizard": "/thu-tuc/1.000656/nop/", "my-dossier": f"/ho-so-cua-toi/{code}/"}
    staff = {
        "inbox": "/mot-cua/",
        "dossier": f"/mot-cua/ho-so/{code}/",
        "form-01": f"/mot-cua/ho-so/{code}/mau-01/",  # the receipt and appointment slip (Mẫu 01)
        "intake": "/mot-cua/tiep-nhan/?thu_tuc=2.001610",
    }
    leader = {"leaders": "/mot-cua/lanh-dao/?ky=2026"}  # leaders, inspectors and administrators only
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path="/usr/bin/chromium",
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        for size, viewport in SIZES.items():
            accounts = (("", public), ("080195000321", citizen), ("tanan.tiepnhan", staff), ("tanan.chutich", leader))
            for who, pages in accounts:
                ctx = browser.new_context(viewport=viewport, locale="vi-VN")
                page = ctx.new_page()
                if who:
                    page.goto(f"{base}/dang-nhap/")
                    page.fill("#id_username", who)
                    page.fill("#id_password", "Motcua@2026")
                    page.click("main button[type=submit]")
                    page.wait_for_load_state()
                    if "/xac-thuc/" in page.url:  # a leader's second factor: the demo's published TOTP secret
                        page.fill("#id_code", code_now())
                        page.click("main button[type=submit]")
                for name, path in pages.items():
                    page.goto(base + path)
                    page.screenshot(path=str(OUT / f"{name}-{size}.png"), full_page=size == "desktop")
                ctx.close()
        browser.close()


if __name__ == "__main__":
    main()
