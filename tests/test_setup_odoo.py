"""setup/install-odoo.sh: Odoo 18.0 community into a virtual environment, from a folder,
an archive or a git repository, with pins that install on the running Python.

The requirement choice is checked on Odoo's own requirements.txt layout; the real install
makes a fresh virtual environment (no system site-packages) from an Odoo 18 source tree,
downloading wheels from PyPI (pip's cache makes later runs quick), and imports ``odoo``
in it. The source tree is ``HMT_ODOO_SOURCE``, else the tree of the Odoo this Python
imports; without one the install test is skipped with a loud reason.
"""

import importlib.util
import os
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
INSTALLER = ROOT / "setup" / "install-odoo.sh"

# The shape of Odoo 18's requirements.txt: pins per Python version, platform markers,
# comments after the markers.
REQUIREMENTS = """\
# The officially supported versions of the following packages are their
Babel==2.9.1 ; python_version < '3.11'  # min version = 2.6.0 (Focal with security backports)
Babel==2.10.3 ; python_version >= '3.11'
cbor2==5.4.2 ; python_version < '3.12'
cbor2==5.6.2 ; python_version >= '3.12'
gevent==21.8.0 ; sys_platform != 'win32' and python_version == '3.10'  # (Jammy)
gevent==22.10.2; sys_platform != 'win32' and python_version > '3.10' and python_version < '3.12'
gevent==24.2.1 ; sys_platform != 'win32' and python_version >= '3.12'  # (Noble)
lxml==5.2.1; python_version >= '3.12' # (Noble - removed html clean)
lxml-html-clean; python_version >= '3.12' # (Noble - removed from lxml)
passlib==1.7.4 # min version = 1.7.2
psycopg2==2.9.2 ; python_version == '3.10' # (Jammy)
psycopg2==2.9.5 ; python_version == '3.11'
psycopg2==2.9.9 ; python_version >= '3.12' # (Noble) Mostly to have a wheel package
pypiwin32 ; sys_platform == 'win32'
python-ldap==3.4.0 ; sys_platform != 'win32' and python_version < '3.12'
python-ldap==3.4.4 ; sys_platform != 'win32' and python_version >= '3.12'
pytz  # no version pinning to avoid OS perturbations
"""


def _load_installer():
    path = ROOT / "setup" / "install_odoo.py"
    spec = importlib.util.spec_from_file_location("hmt_install_odoo", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("python", [(3, 10), (3, 11), (3, 12)])
def test_pins_are_python_3_12_ones_up_to_3_12(python):
    chosen = _load_installer().choose_requirements(REQUIREMENTS, python=python)
    assert chosen == [
        "Babel==2.10.3",
        "cbor2==5.6.2",
        "gevent==24.2.1",
        "lxml==5.2.1",
        "lxml-html-clean",
        "passlib==1.7.4",
        "psycopg2-binary==2.9.9",
        "pytz",
        "websocket-client",
    ]


def test_python_3_13_gets_the_first_releases_with_its_wheels():
    chosen = _load_installer().choose_requirements(REQUIREMENTS, python=(3, 13))
    assert "gevent==24.11.1" in chosen
    assert "Babel==2.16.0" in chosen  # 2.10.3 imports cgi, gone from Python 3.13
    assert "lxml==5.3.0" in chosen
    assert "psycopg2-binary==2.9.10" in chosen
    assert "passlib==1.7.4" in chosen
    assert not [line for line in chosen if line.startswith(("python-ldap", "psycopg2=="))]


def _odoo_source():
    """An Odoo 18 source tree: HMT_ODOO_SOURCE, else the one this Python imports."""
    candidates = [os.environ.get("HMT_ODOO_SOURCE")]
    spec = importlib.util.find_spec("odoo")
    if spec and spec.origin:
        candidates.append(str(Path(spec.origin).parent.parent))
    for candidate in filter(None, candidates):
        tree = Path(candidate)
        if (tree / "requirements.txt").is_file() and (tree / "odoo" / "release.py").is_file():
            return tree
    return None


def _installer_env():
    """The installer runs with the Python of this test run (PYTHON), no PYTHONPATH."""
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    return {**env, "PYTHON": sys.executable}


def _install(*args, cwd=ROOT):
    result = subprocess.run(
        ["bash", str(INSTALLER), *map(str, args)],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
        env=_installer_env(),
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result.stdout


def _venv_python_runs(venv, code):
    """What the venv's Python prints for ``code``, run outside the project and with no
    PYTHONPATH, so only the venv itself can provide the modules."""
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    result = subprocess.run(
        [str(venv / "bin" / "python"), "-I", "-c", code],
        cwd=venv,
        capture_output=True,
        text=True,
        check=False,
        env=env,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


SOURCE = _odoo_source()


@pytest.mark.skipif(
    SOURCE is None,
    reason="!!! NO ODOO 18 SOURCE TREE (set HMT_ODOO_SOURCE): INSTALL-ODOO NOT TESTED !!!",
)
def test_installs_odoo_from_a_source_folder_into_a_fresh_venv(tmp_path):
    venv = tmp_path / "venv"
    printed = _install("--source", SOURCE, "--venv", venv)
    assert (venv / "pyvenv.cfg").read_text().count("include-system-site-packages = false") == 1
    imported = _venv_python_runs(
        venv,
        "import importlib.metadata as m, importlib.util as u, odoo, odoo.release as r;"
        "from odoo import api, fields, models;"
        "print(r.major_version, m.version('psycopg2-binary'),"
        " u.find_spec('ldap') is None, u.find_spec('websocket') is not None)",
    ).split()
    assert imported[0] == "18.0"
    assert imported[2:] == ["True", "True"]  # no python-ldap, websocket-client
    version = subprocess.run(
        [str(venv / "bin" / "odoo"), "--version"], capture_output=True, text=True, check=False
    )
    assert version.stdout.startswith("Odoo Server 18.0"), version.stdout + version.stderr
    assert f"{venv}/bin/odoo --addons-path=" in printed
    again = _install("--source", SOURCE, "--venv", venv)
    assert "already installed" in again
    assert f"{venv}/bin/odoo --addons-path=" in again


def _fake_odoo(tree):
    """A source tree that looks like Odoo 18 to the installer and to ``import odoo``."""
    (tree / "odoo").mkdir(parents=True)
    (tree / "addons").mkdir()
    (tree / "odoo" / "__init__.py").write_text("from . import cli, release\n")
    (tree / "odoo" / "cli.py").write_text("def main():\n    print('Odoo Server 18.0')\n")
    (tree / "odoo" / "release.py").write_text(
        "version_info = (18, 0, 0, 'final', 0, '')\nversion = major_version = '18.0'\n"
    )
    (tree / "requirements.txt").write_text("# nothing but what the installer adds\n")
    return tree


def test_installs_from_an_archive(tmp_path):
    tree = _fake_odoo(tmp_path / "odoo-18.0")
    archive = tmp_path / "odoo.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(tree, arcname="odoo-18.0")
    venv = tmp_path / "venv"
    printed = _install("--source", archive, "--venv", venv)
    where = _venv_python_runs(venv, "import odoo; print(odoo.__file__)")
    assert Path(where).is_relative_to(venv / "src")
    assert "Run Odoo" in printed


def test_installs_from_a_git_repository(tmp_path):
    tree = _fake_odoo(tmp_path / "repo")
    git = ["git", "-C", str(tree), "-c", "user.name=t", "-c", "user.email=t@example.com"]
    subprocess.run([*git, "init", "-q", "-b", "18.0"], check=True)
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-qm", "odoo"], check=True)
    venv = tmp_path / "venv"
    _install("--source", f"file://{tree}", "--venv", venv)
    where = _venv_python_runs(venv, "import odoo; print(odoo.__file__)")
    assert Path(where).is_relative_to(venv / "src")


def test_refuses_a_source_that_is_not_odoo_18(tmp_path):
    tree = _fake_odoo(tmp_path / "odoo-17")
    (tree / "odoo" / "release.py").write_text("version_info = (17, 0, 0, 'final', 0, '')\n")
    result = subprocess.run(
        ["bash", str(INSTALLER), "--source", str(tree), "--venv", str(tmp_path / "v")],
        capture_output=True,
        text=True,
        check=False,
        env=_installer_env(),
    )
    assert result.returncode != 0
    assert "not Odoo 18.0" in result.stderr


def test_never_deletes_a_checkout_it_did_not_make(tmp_path):
    """--src-dir pointing at the user's own Odoo checkout (no installer marker) or at a
    non-empty folder that is not Odoo: refused, nothing deleted."""
    installer = _load_installer()
    archive_tree = _fake_odoo(tmp_path / "odoo-18.0")
    archive = tmp_path / "odoo.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(archive_tree, arcname="odoo-18.0")
    own = _fake_odoo(tmp_path / "my-odoo")
    (own / "my-work.py").write_text("precious\n")
    other = tmp_path / "other"
    other.mkdir()
    (other / "notes.txt").write_text("precious\n")
    for folder in (own, other):
        with pytest.raises(SystemExit, match="not made by this installer"):
            installer.fetch_source(str(archive), "18.0", folder)
        assert (folder / ("my-work.py" if folder == own else "notes.txt")).is_file()
    # a folder the installer made itself is replaced when the source changes
    made = tmp_path / "made"
    assert installer.fetch_source(str(archive), "18.0", made) == made
    (made / ".hmt-source").write_text("an older source")
    assert installer.fetch_source(str(archive), "18.0", made) == made
    assert (made / ".hmt-source").read_text() == str(archive)


def test_a_venv_without_pip_is_repaired(tmp_path):
    """A half-made venv (bin/python but no pip: Debian without python3-venv, or Ctrl-C
    while it was made) gets pip back instead of failing at every run."""
    tree = _fake_odoo(tmp_path / "odoo-18.0")
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    _install("--source", tree, "--venv", venv)
    where = _venv_python_runs(venv, "import odoo; print(odoo.__file__)")
    assert Path(where).is_relative_to(tree)


def test_the_venv_gets_the_addons_requirements_and_says_odoo_needs_postgresql(tmp_path):
    """The printed next steps run the addon: its requirements (html2text...) are there."""
    tree = _fake_odoo(tmp_path / "odoo-18.0")
    venv = tmp_path / "venv"
    printed = _install("--source", tree, "--venv", venv)
    _venv_python_runs(venv, "import html2text, lxml, PIL")
    assert "needs a PostgreSQL server" in printed


def test_gen_addon_readme_help_does_not_crash_nor_write():
    result = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "gen_addon_readme.py"), "--help"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "usage:" in result.stdout
    assert not (Path("--help")).exists()


def _old_python():
    """A Python older than 3.10 that runs (on PATH, or one of pyenv's), or None."""
    candidates = [shutil.which(f"python3.{minor}") for minor in (9, 8, 7)]
    candidates += sorted(map(str, Path.home().glob(".pyenv/versions/3.[6-9].*/bin/python3")))
    for candidate in filter(None, candidates):
        probe = subprocess.run(
            [candidate, "-c", "import sys; print(sys.version_info < (3, 10))"],
            capture_output=True,
            text=True,
            check=False,
        )
        if probe.stdout.strip() == "True":
            return candidate
    return None


OLD_PYTHON = _old_python()


@pytest.mark.skipif(OLD_PYTHON is None, reason="no Python older than 3.10 on PATH")
def test_an_old_python_is_refused_up_front(tmp_path):
    result = subprocess.run(
        ["bash", str(INSTALLER), "--venv", str(tmp_path / "v"), "--source", str(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
        env={**_installer_env(), "PYTHON": OLD_PYTHON},
    )
    assert result.returncode != 0
    assert "needs Python 3.10 or newer" in result.stderr
    assert not (tmp_path / "v").exists()


def _externally_managed_python():
    """A system Python that pip refuses to install into (PEP 668), or None."""
    for candidate in filter(None, [shutil.which("python3", path="/usr/bin")]):
        probe = subprocess.run(
            [candidate, "-c", "import os, sysconfig; print(os.path.exists(os.path.join("
             "sysconfig.get_path('stdlib'), 'EXTERNALLY-MANAGED')))"],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        if probe.stdout.strip() == "True":
            return candidate
    return None


EXTERNALLY_MANAGED = _externally_managed_python()


@pytest.mark.skipif(EXTERNALLY_MANAGED is None, reason="no externally managed system Python")
def test_current_python_on_an_externally_managed_system_python_says_why(tmp_path):
    tree = _fake_odoo(tmp_path / "odoo-18.0")
    result = subprocess.run(
        ["bash", str(INSTALLER), "--current-python", "--source", str(tree)],
        capture_output=True,
        text=True,
        check=False,
        env={**_installer_env(), "PYTHON": EXTERNALLY_MANAGED},
    )
    assert result.returncode != 0
    assert "externally managed" in result.stderr
    assert "--venv" in result.stderr
