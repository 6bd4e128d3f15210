"""pkm as a user gets it: built as a wheel, installed, run as a program."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel, unpacked into its own folder (dependencies come from this environment)."""
    build = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(build),
            str(ROOT),
        ],
        check=True,
    )
    wheel = next(build.glob("pkm-*.whl"))
    target = tmp_path_factory.mktemp("site")
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(target)
    return target


def _pkm(site: Path, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", "from pkm.cli import main; main()", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=site,
        timeout=60,
    )


def test_installed_wheel_creates_and_uses_a_store(installed: Path, tmp_path: Path) -> None:
    assert (installed / "pkm" / "_migrations" / "env.py").is_file()
    env = {**os.environ, "PYTHONPATH": str(installed), "PKM_DB": str(tmp_path / "s.db")}
    saved = _pkm(
        installed,
        "save",
        "https://example.org/talk",
        "--no-fetch",
        "-t",
        "conference2.0",
        "--title",
        "A talk",
        env=env,
    )
    assert saved.returncode == 0, saved.stderr
    found = _pkm(installed, "find", "talk", "--json", env=env)
    assert found.returncode == 0, found.stderr
    assert '"conference2.0"' in found.stdout
    # It really ran the installed copy, migrations included.
    where = subprocess.run(
        [sys.executable, "-c", "import pkm.storage.db as d; print(d.migrations_dir())"],
        capture_output=True,
        text=True,
        env=env,
        cwd=installed,
        check=True,
    )
    assert where.stdout.strip() == str(installed / "pkm" / "_migrations")


def test_python_dash_m_and_errors_without_traceback(installed: Path, tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(installed), "PKM_DB": str(tmp_path / "s.db")}
    result = subprocess.run(
        [sys.executable, "-m", "pkm", "show", "12345"],
        capture_output=True,
        text=True,
        env=env,
        cwd=installed,
        timeout=60,
    )
    assert result.returncode == 1
    assert result.stderr == "pkm: error: no entry with id 12345\n"


def test_read_path_does_not_import_the_orm_or_alembic(tmp_path: Path) -> None:
    env = {**os.environ, "PKM_DB": str(tmp_path / "s.db")}
    subprocess.run([sys.executable, "-m", "pkm", "tags"], env=env, check=True, capture_output=True)
    probe = (
        "import sys; from pkm.cli import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "heavy = [m for m in ('sqlalchemy', 'alembic', 'httpx', 'feedparser')\n"
        "         if m in sys.modules]\n"
        "print('heavy:' + ','.join(heavy))"
    )
    for args in (["find", "anything"], ["tags"], ["find", "--json"]):
        result = subprocess.run(
            [sys.executable, "-c", probe, *args],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        assert result.stdout.strip().splitlines()[-1] == "heavy:", (args, result.stdout)
