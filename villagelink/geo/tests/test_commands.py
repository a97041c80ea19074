import os
import subprocess
import sys

import pytest
from django.core.management import CommandError, call_command

from villagelink.geo.models import AdminUnit


def test_import_units_command_reports_the_counts(units, tmp_path, capsys):
    csv_file = tmp_path / "units.csv"
    csv_file.write_text(
        "code,parent_code,level,name_zh,name_en\n540221102,540221,township,乙乡,Yi Township\n"
    )
    call_command("import_units", str(csv_file))
    assert "1 new unit(s)" in capsys.readouterr().out
    assert AdminUnit.objects.filter(code="540221102").exists()


def test_import_units_command_refuses_a_bad_file_naming_the_row(units, tmp_path, capsys):
    csv_file = tmp_path / "units.csv"
    csv_file.write_text(
        "code,parent_code,level,name_zh,name_en\n540221102,540221,township,乙乡,Yi\n540221103,549999,township,丙乡,Bing\n"
    )
    count = AdminUnit.objects.count()
    with pytest.raises(CommandError, match="The file was not imported"):
        call_command("import_units", str(csv_file))
    assert "Row 3: parent 549999 is not a known unit" in capsys.readouterr().err
    assert AdminUnit.objects.count() == count


def test_import_units_command_explains_a_missing_file(db, tmp_path):
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_units", str(tmp_path / "missing.csv"))


def test_the_villagelink_command_exits_non_zero_on_a_bad_file(tmp_path):
    """The real console script, in its own process and database."""
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}}
    env["VILLAGELINK_DATA_DIR"] = str(tmp_path / "data")
    villagelink = [sys.executable, "-m", "villagelink"]
    subprocess.run([*villagelink, "migrate", "-v0"], env=env, check=True, timeout=120)
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "code,parent_code,level,name_zh,name_en\n540000,,region,西藏自治区,Tibet\n540200,540000,prefecture,,Shigatse\n"
    )
    done = subprocess.run(
        [*villagelink, "import-units", str(bad)], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode != 0
    assert "Row 3: name_zh (the Chinese name) is missing." in done.stderr
    assert "Traceback" not in done.stderr
    shown = subprocess.run(
        [
            *villagelink,
            "shell",
            "--no-imports",
            "-c",
            "from villagelink.geo.models import AdminUnit; print(AdminUnit.objects.count())",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert shown.stdout.strip() == "0"
