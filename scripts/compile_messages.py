"""Refresh translations: extract strings (needs GNU gettext) and compile .po → .mo with polib.

The compiled .mo files are committed, so a fresh machine needs neither gettext nor this step.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import polib

SRC = Path(__file__).resolve().parent.parent / "src" / "motcua"


def main() -> int:
    os.environ.setdefault("MOTCUA_DEV", "1")
    if shutil.which("xgettext"):
        subprocess.run(
            [
                sys.executable,
                "-m",
                "django",
                "makemessages",
                "-l",
                "vi",
                "-l",
                "en",
                "-i",
                "settings*",
                "--settings=motcua.settings",
            ],
            cwd=SRC,
            check=True,
        )
    else:
        print("xgettext not found: compiling the existing .po files only")
    for po_path in SRC.glob("locale/*/LC_MESSAGES/django.po"):
        po = polib.pofile(str(po_path))
        po.save_as_mofile(str(po_path.with_suffix(".mo")))
        print(f"{po_path.relative_to(SRC)}: {po.percent_translated()}% translated")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
