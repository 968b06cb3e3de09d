#!/usr/bin/env python3
"""Install Odoo 18.0 community for this project (``setup/install-odoo.sh`` runs it).

Usage: ``bash setup/install-odoo.sh [--source FOLDER|ARCHIVE|GIT_URL] [--branch 18.0]
[--venv PATH | --current-python] [--src-dir PATH]``

* The source is an Odoo 18.0 tree: a folder (used where it is), an archive (``.tar.gz``,
  ``.tgz``, ``.zip``; a path or a URL, unpacked into ``<venv>/src/odoo``) or a git URL
  (cloned with ``--depth 1`` into the same place). Default: the official 18.0 source,
  ``https://github.com/odoo/odoo.git``, branch 18.0.
* Odoo goes into the project's virtual environment ``.venv`` (created when missing, git
  ignores it) or ``--venv PATH``; ``--current-python`` installs for the interpreter that
  runs this script instead. A ``.pth`` file names the source tree, as a checkout of Odoo
  is meant to run in place, and ``<venv>/bin/odoo`` starts it.
* Odoo's ``requirements.txt`` gives pins per Python version; old pins are sdists that no
  longer build on current Pythons (cbor2 5.4.2, psycopg2 without its headers), so the
  markers are evaluated as on Python 3.12 from 3.10 to 3.12, and on 3.13 the pins
  without a wheel for it move to the first release that has one. ``psycopg2`` becomes
  ``psycopg2-binary``; ``python-ldap`` (only for the optional ``auth_ldap``) is left out;
  ``websocket-client`` (the browser tests' link to Chromium) is added.
* Idempotent: a second run with the same source and pins checks ``import odoo`` and stops.

It ends by printing how to run Odoo. Standard library only: it runs with the system
``python3``, creates the virtual environment, then carries on inside it.
"""

import argparse
import contextlib
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import tempfile
import urllib.request
import venv
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OFFICIAL_SOURCE = "https://github.com/odoo/odoo.git"
BRANCH = "18.0"
# Pins are evaluated as on this Python at least: the older pins are sdists that do not
# build any more (cbor2 5.4.2, MarkupSafe 2.1.2, ...), 3.12's have wheels from 3.10 on.
PINS_PYTHON = (3, 12)
# Pins of Odoo's requirements.txt that do not install or import on a newer Python (no
# wheel and an sdist that does not build, or a module the newer Python removed): the
# first release that does. Names in lower case.
NEWER_PYTHON_PINS = {
    (3, 13): {
        "babel": "2.16.0",  # 2.10.3 imports cgi, removed from Python 3.13
        "cbor2": "5.6.5",
        "gevent": "24.11.1",
        "greenlet": "3.1.1",
        "lxml": "5.3.0",
        "pillow": "11.0.0",
        "psycopg2-binary": "2.9.10",
        "zeep": "4.3.1",  # 4.2.1 imports cgi
    },
}
LEFT_OUT = {"python-ldap"}  # only Odoo's optional auth_ldap imports it; needs C headers
RENAMED = {"psycopg2": "psycopg2-binary"}  # a wheel instead of a build against libpq
ADDED = ["websocket-client"]  # the browser tests drive Chromium through it
STAMP = "hmt-odoo-install.json"
PTH = "hmt-odoo-source.pth"


class InstallError(Exception):
    pass


def _markers():
    try:
        from packaging import markers
    except ImportError:  # a fresh virtual environment: pip's own copy
        from pip._vendor.packaging import markers
    return markers


def _version_tuple(text):
    return tuple(int(part) for part in re.findall(r"\d+", text)[:3])


def choose_requirements(text, python=None, platform=None):
    """The requirement lines to install for Odoo's requirements.txt ``text`` on
    ``python`` (a (major, minor) tuple, default the running one)."""
    python = tuple(python or sys.version_info[:2])
    evaluated = max(python, PINS_PYTHON)
    environment = _markers().default_environment()
    environment.update(
        python_version="{}.{}".format(*evaluated),
        python_full_version="{}.{}.0".format(*evaluated),
    )
    if platform:
        environment["sys_platform"] = platform
    newer = {}
    for version, pins in sorted(NEWER_PYTHON_PINS.items()):
        if python >= version:
            newer.update(pins)
    chosen = []
    for line in text.splitlines():
        requirement, _, marker = line.split("#", 1)[0].partition(";")
        requirement = requirement.strip()
        if not requirement:
            continue
        if marker.strip() and not _markers().Marker(marker.strip()).evaluate(environment):
            continue
        name, spec = re.match(r"([A-Za-z0-9._-]+)(.*)", requirement).groups()
        if name in LEFT_OUT:
            continue
        name = RENAMED.get(name, name)
        pinned = re.fullmatch(r"\s*==\s*(\S+)\s*", spec)
        minimum = newer.get(name.lower())
        if minimum and pinned and _version_tuple(pinned.group(1)) < _version_tuple(minimum):
            spec = f"=={minimum}"
        chosen.append(f"{name}{spec.strip()}")
    chosen += [name for name in ADDED if name not in chosen]
    return chosen


def odoo_version(tree):
    """The (major, minor) of the Odoo source ``tree``, or None."""
    release = Path(tree) / "odoo" / "release.py"
    if not release.is_file():
        return None
    found = re.search(r"^version_info\s*=\s*\((\d+),\s*(\d+)", release.read_text(), re.M)
    return (int(found.group(1)), int(found.group(2))) if found else None


def _single_root(folder):
    """The tree inside an unpacked archive: the folder itself or its only sub-folder."""
    entries = [entry for entry in folder.iterdir() if not entry.name.startswith(".")]
    return entries[0] if len(entries) == 1 and entries[0].is_dir() else folder


def _unpack(archive, destination):
    staging = Path(tempfile.mkdtemp(prefix="hmt-odoo-", dir=destination.parent))
    try:
        if zipfile.is_zipfile(archive):
            with zipfile.ZipFile(archive) as bundle:
                bundle.extractall(staging)
        else:
            safe = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}
            with tarfile.open(archive) as bundle:
                bundle.extractall(staging, **safe)
        shutil.move(str(_single_root(staging)), destination)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def fetch_source(source, branch, destination):
    """The folder of the Odoo tree for ``source`` (fetched into ``destination`` unless it
    is a folder already, or fetched there by an earlier run)."""
    path = Path(source).expanduser()
    if path.is_dir():
        return path.resolve()
    destination = Path(destination)
    marker = destination / ".hmt-source"
    if marker.is_file():  # made by an earlier run: kept, or replaced by the new source
        if marker.read_text() == source and odoo_version(destination):
            print(f"Odoo source: {destination} (fetched from {source} before)")
            return destination
        shutil.rmtree(destination)
    elif destination.is_dir() and any(destination.iterdir()):
        raise SystemExit(
            f"{destination} exists and was not made by this installer (no .hmt-source in it):"
            " it is left alone. Pass it as --source to install from it, or choose another"
            " --src-dir."
        )
    elif destination.is_dir():
        destination.rmdir()  # empty: unpacking moves the tree in its place
    destination.parent.mkdir(parents=True, exist_ok=True)
    if path.is_file():
        print(f"Unpacking {path} into {destination}")
        _unpack(path, destination)
    elif re.search(r"\.(tar\.gz|tgz|tar\.bz2|tar\.xz|zip)$", source):
        print(f"Downloading {source}")
        with tempfile.NamedTemporaryFile(suffix=Path(source).name) as download:
            with urllib.request.urlopen(source) as response:
                shutil.copyfileobj(response, download)
            download.flush()
            _unpack(download.name, destination)
    else:
        print(f"Cloning {source} (branch {branch}) into {destination}")
        subprocess.run(
            ["git", "clone", "-q", "--depth", "1", "--branch", branch, source, str(destination)],
            check=True,
        )
    (destination / ".hmt-source").write_text(source)
    return destination


def _launcher(python, tree):
    """``<bin>/odoo``: odoo-bin for this interpreter (odoo-bin sets TZ=UTC first)."""
    launcher = Path(sysconfig.get_path("scripts")) / "odoo"
    try:
        launcher.write_text(
            f"#!{python}\n"
            "# Odoo 18.0 from the source tree of hmt-odoo-source.pth (setup/install-odoo.sh)\n"
            "import os\nos.environ['TZ'] = 'UTC'\nimport odoo\nodoo.cli.main()\n"
        )
        launcher.chmod(0o755)
    except OSError:  # a system interpreter's scripts folder: python -m odoo does it
        return f"{python} -m odoo"
    return launcher


def _import_check(python):
    result = subprocess.run(
        [python, "-c", "import odoo.release, odoo.cli; print(odoo.release.version)"],
        capture_output=True,
        text=True,
        check=False,
        cwd=tempfile.gettempdir(),
    )
    if result.returncode:
        print(result.stderr.strip().splitlines()[-1] if result.stderr.strip() else "")
        return None
    return result.stdout.strip()


def addon_requirements(chosen):
    """This project's requirements.txt (what the addon imports), but those Odoo's pins
    already name."""
    names = {re.split(r"[<>=!~ ;\[]", line, maxsplit=1)[0].lower() for line in chosen}
    wanted = []
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line and re.split(r"[<>=!~ ;\[]", line, maxsplit=1)[0].lower() not in names:
            wanted.append(line)
    return wanted


def install_here(tree):
    """Install Odoo from ``tree`` for the running interpreter."""
    python = sys.executable
    site = Path(sysconfig.get_path("purelib"))
    requirements = choose_requirements((tree / "requirements.txt").read_text())
    requirements += addon_requirements(requirements)
    stamp = {"source": str(tree), "requirements": requirements}
    stamp_path = site / STAMP
    with contextlib.suppress(OSError, ValueError):
        if json.loads(stamp_path.read_text()) == stamp and _import_check(python):
            print(f"Odoo is already installed for {python} from {tree}: nothing to do.")
            return _launcher(python, tree)
    print(
        f"Installing {len(requirements)} Python packages for Odoo 18.0 on Python "
        "{}.{} (pins of Odoo's requirements.txt for Python {}.{})".format(
            *sys.version_info[:2], *max(sys.version_info[:2], PINS_PYTHON)
        ),
        flush=True,
    )
    digest = hashlib.sha1("\n".join(requirements).encode()).hexdigest()[:12]
    with tempfile.NamedTemporaryFile("w", suffix=f"-odoo-{digest}.txt") as listing:
        listing.write("\n".join(requirements) + "\n")
        listing.flush()
        command = [python, "-m", "pip", "install", "-q", "--disable-pip-version-check"]
        subprocess.run([*command, "-r", listing.name], check=True)
    (site / PTH).write_text(f"{tree}\n")
    version = _import_check(python)
    if not version:
        raise InstallError(f"odoo does not import with {python} after the install")
    stamp_path.write_text(json.dumps(stamp, indent=1))
    return _launcher(python, tree)


def print_next_steps(launcher, tree):
    addons = f"{ROOT},{tree / 'addons'}"
    python = Path(sys.executable)
    print(
        f"\nOdoo 18.0 community is installed for {python} (Python "
        f"{'.'.join(map(str, sys.version_info[:3]))}) from {tree}.\n"
        "Run Odoo (PostgreSQL at 127.0.0.1 as role root here; change --db_* to yours):\n"
        f"    {launcher} --addons-path={addons} --db_host=127.0.0.1 --db_user=root"
        " -d mydb -i helpdesk_mail_ticket\n"
        f"    (or {python} -m odoo with the same options), then open http://127.0.0.1:8069\n"
        "    Odoo itself needs a PostgreSQL server (apt-get install postgresql, or yours);\n"
        "    the demo and the tests below start a private one when none answers.\n"
        "This project's demo and tests with it (they start what else they need):\n"
        f"    {python} tools/demo.py\n"
        f"    {python} tools/run_tests.py"
    )


VENV_MARKER = ".hmt-venv"


def _has_pip(python):
    return (
        python.exists()
        and not subprocess.run(
            [str(python), "-m", "pip", "--version"], capture_output=True, check=False
        ).returncode
    )


def ensure_venv(target, python):
    """A virtual environment at ``target`` whose Python has pip. A half-made one (no pip:
    Debian without python3-venv, or interrupted) gets pip through ensurepip, or is made
    again when this installer made it (its marker file)."""
    if _has_pip(python):
        return
    if python.exists():
        print(f"{target} has no pip: adding it (ensurepip)")
        repaired = subprocess.run(
            [str(python), "-m", "ensurepip", "--upgrade"], capture_output=True, check=False
        )
        if not repaired.returncode and _has_pip(python):
            return
        if not (target / VENV_MARKER).exists():
            raise InstallError(
                f"{target} is a virtual environment without pip, and ensurepip failed: on "
                "Debian or Ubuntu, apt-get install python3-venv, then remove it or pass "
                "another --venv"
            )
    print(f"Creating the virtual environment {target}")
    try:
        venv.EnvBuilder(with_pip=True, clear=python.exists()).create(target)
    except (OSError, subprocess.CalledProcessError) as error:
        raise InstallError(
            f"cannot create {target} ({error}): on Debian or Ubuntu, apt-get install python3-venv"
        )
    (target / VENV_MARKER).write_text("made by setup/install_odoo.py\n")


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--source", default=OFFICIAL_SOURCE, help="folder, archive or git URL")
    parser.add_argument("--branch", default=BRANCH, help="git branch (default 18.0)")
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--venv", default=str(ROOT / ".venv"), help="default: .venv")
    where.add_argument("--current-python", action="store_true", help="no virtual environment")
    parser.add_argument("--src-dir", help="where a fetched source goes (default <venv>/src/odoo)")
    return parser.parse_args(argv)


def main(argv=None):
    options = parse_args(sys.argv[1:] if argv is None else argv)
    if not options.current_python:
        target = Path(options.venv).resolve()
        python = target / "bin" / "python"
        ensure_venv(target, python)
        if Path(sys.prefix).resolve() != target:
            arguments = ["--current-python", "--source", options.source, "--branch"]
            arguments += [options.branch, "--src-dir", options.src_dir or str(target / "src/odoo")]
            os.execv(str(python), [str(python), __file__, *arguments])
    managed = Path(sysconfig.get_path("stdlib")) / "EXTERNALLY-MANAGED"
    if sys.prefix == sys.base_prefix and managed.exists():
        raise InstallError(
            f"{sys.executable} is externally managed (PEP 668: its packages come from the "
            "system's package manager), so pip may not install Odoo's packages into it. "
            "Leave out --current-python (Odoo goes into .venv) or pass --venv PATH."
        )
    src_dir = options.src_dir or str(Path(sys.prefix) / "src" / "odoo")
    if sys.prefix == sys.base_prefix and not options.src_dir:
        src_dir = str(Path.home() / ".cache" / "hmt" / f"odoo-{BRANCH}")
    tree = fetch_source(options.source, options.branch, src_dir)
    if odoo_version(tree) != (18, 0):
        raise InstallError(f"{options.source} is not Odoo 18.0 (odoo/release.py of {tree})")
    if not (tree / "requirements.txt").is_file():
        raise InstallError(f"{tree} has no requirements.txt")
    print_next_steps(install_here(tree), tree)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except (InstallError, subprocess.CalledProcessError) as error:
        sys.exit(f"install-odoo: {error}")
