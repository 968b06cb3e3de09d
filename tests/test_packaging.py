"""The addons build as OCA-style wheels (whool) and install where Odoo finds them.

The wheel is built from the git-tracked files of the addon, checked file by file, then
installed with pip (``--no-deps``: Odoo is not on PyPI) into a temporary folder, and an
Odoo given that folder's ``odoo/addons`` as addons path loads the addon from it.
"""

import ast
import importlib.util
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import tomllib

ROOT = Path(__file__).resolve().parent.parent
ADDON = "helpdesk_mail_ticket"
PREFIX = f"odoo/addons/{ADDON}/"
# Paths of this machine that must never end up in a shipped file.
MACHINE_PATHS = [str(ROOT).encode(), b"/opt/odoo", b"/root/", b"/tmp/hmt"]


def build_wheel(addon_dir, out_dir):
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
         "-w", str(out_dir), str(addon_dir)],
        check=True, capture_output=True, cwd=ROOT,
    )  # fmt: skip
    wheels = list(Path(out_dir).glob("*.whl"))
    assert len(wheels) == 1, wheels
    return wheels[0]


def tracked_files(addon_dir):
    output = subprocess.run(
        ["git", "ls-files"], cwd=addon_dir, check=True, capture_output=True, text=True
    ).stdout
    return {line for line in output.splitlines() if line and (addon_dir / line).exists()}


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    return build_wheel(ROOT / ADDON, tmp_path_factory.mktemp("wheel"))


def test_wheel_name_and_metadata(wheel):
    assert re.fullmatch(
        r"odoo_addon_helpdesk_mail_ticket-18\.0\.\d+\.\d+\.\d+(\.\d+)*-py3-none-any\.whl",
        wheel.name,
    )
    manifest = ast.literal_eval((ROOT / ADDON / "__manifest__.py").read_text())
    with zipfile.ZipFile(wheel) as archive:
        metadata_name = next(
            name for name in archive.namelist() if name.endswith(".dist-info/METADATA")
        )
        metadata = archive.read(metadata_name).decode()
    assert "Name: odoo-addon-helpdesk_mail_ticket\n" in metadata
    version = re.search(r"^Version: (.+)$", metadata, re.MULTILINE).group(1)
    assert version.startswith(manifest["version"]), (version, manifest["version"])
    requires = re.findall(r"^Requires-Dist: (.+)$", metadata, re.MULTILINE)
    odoo_requirement = next(req for req in requires if re.match(r"odoo\b", req))
    from packaging.requirements import Requirement

    specifier = Requirement(odoo_requirement).specifier
    assert specifier.contains("18.0", prereleases=True)
    assert specifier.contains("18.0.20250101", prereleases=True)
    assert not specifier.contains("17.0") and not specifier.contains("18.1")
    names = {Requirement(req).name.lower() for req in requires}
    assert {"lxml", "pillow", "html2text"} <= names
    assert "pil" not in names  # the import name is not a PyPI package
    assert "License: AGPL-3" in metadata


def test_wheel_holds_exactly_the_tracked_addon(wheel):
    with zipfile.ZipFile(wheel) as archive:
        names = [name for name in archive.namelist() if not name.endswith("/")]
        contents = {name: archive.read(name) for name in names}
    addon_files = {name[len(PREFIX) :] for name in names if name.startswith(PREFIX)}
    others = [name for name in names if not name.startswith(PREFIX)]
    assert all(
        re.match(r"odoo_addon_helpdesk_mail_ticket-[^/]+\.dist-info/", name) for name in others
    ), others
    # Nothing untracked (caches, build output, local data), nothing from outside the addon.
    assert addon_files == tracked_files(ROOT / ADDON) - {"pyproject.toml"}
    assert not [
        name
        for name in addon_files
        if "__pycache__" in name or name.endswith((".pyc", ".orig", ".rej"))
    ]
    # What Odoo needs: the manifest, the code, every data file the manifest lists.
    manifest = ast.literal_eval(contents[PREFIX + "__manifest__.py"].decode())
    for path in manifest["data"] + manifest.get("demo", []):
        assert path in addon_files, path
    for package in ("models", "mailparse", "mailsource", "cli", "wizard"):
        assert f"{package}/__init__.py" in addon_files, package
    assert {
        "models/mail_inbox.py",
        "models/mail_inbox_message.py",
        "mailparse/parse.py",
        "mailparse/data/newpart_model.json",  # the new-part classifier's weights
        "mailparse/data/letter_stats.json",  # letter statistics of the charset detector
        "mailparse/data/latin_pairs.json",  # its Latin languages' pairs
    } <= addon_files
    assert "static/description/icon.png" in addon_files
    # The tests ship as OCA's wheels ship them; their samples only under tests/samples.
    test_files = [name for name in addon_files if name.startswith("tests/")]
    assert all(name.endswith(".py") or name.startswith("tests/samples/") for name in test_files), (
        test_files
    )
    # No path of the machine that built it (mail samples are data, not ours: skipped).
    for name, data in contents.items():
        if "/tests/samples/" in name:
            continue
        for marker in MACHINE_PATHS:
            assert marker not in data, (name, marker)


def test_pip_installs_it_where_odoo_loads_it(wheel, tmp_path):
    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "--no-index", "-q",
         "--target", str(target), str(wheel)],
        check=True, capture_output=True,
    )  # fmt: skip
    installed = target / "odoo" / "addons" / ADDON
    assert (installed / "__manifest__.py").is_file()
    assert (installed / "mailparse" / "parse.py").is_file()
    assert not (target / "odoo" / "__init__.py").exists(), "Odoo itself must not come with it"
    if importlib.util.find_spec("odoo") is None:
        pytest.skip("Odoo is not importable: loading from the wheel cannot be shown")
    odoo_addons = _odoo_core_addons()
    addons_path = ",".join([str(target / "odoo" / "addons"), *odoo_addons])
    probe = (
        "import sys, odoo\n"
        "from odoo.modules import module\n"
        "odoo.tools.config._parse_config(['--addons-path=' + sys.argv[1]])\n"
        "module.initialize_sys_path()\n"
        "print(module.get_module_path('helpdesk_mail_ticket'))\n"
        "print(module.get_manifest('helpdesk_mail_ticket')['version'])\n"
        "import odoo.addons.helpdesk_mail_ticket as addon\n"
        "print(addon.__file__)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe, addons_path],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    path, version, module_file = result.stdout.split()
    assert Path(path) == installed
    assert Path(module_file).parent == installed
    assert version.startswith("18.0.")
    # Odoo's command discovery imports it from there too: its commands are found.
    command = [
        sys.executable,
        "-m",
        "odoo",
        f"--addons-path={addons_path}",
        "helpdesk_deliver",
        "--help",
    ]
    help_run = subprocess.run(
        command, capture_output=True, text=True, check=False, cwd=tmp_path, timeout=300
    )
    assert help_run.returncode == 0, help_run.stderr
    assert "--inbox" in help_run.stdout


def _odoo_core_addons():
    probe = subprocess.run(
        [sys.executable, "-c", "import odoo, os; print(os.path.dirname(odoo.__file__))"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    package = Path(probe.stdout.strip())
    paths = [str(package / "addons")]
    if (package.parent / "addons" / "mail").is_dir():
        paths.append(str(package.parent / "addons"))
    return paths


def test_every_addon_builds_and_the_metapackage_lists_them(tmp_path):
    addons = sorted(
        path.parent.name
        for path in ROOT.glob("*/__manifest__.py")
        if (path.parent / "pyproject.toml").is_file()
    )
    assert addons == [
        ADDON,
        "helpdesk_mail_ticket_google_gmail",
        "helpdesk_mail_ticket_helpdesk_mgmt",
        "helpdesk_mail_ticket_microsoft_outlook",
        "helpdesk_mail_ticket_queue_job",
    ]
    for addon in addons:
        pyproject = tomllib.loads((ROOT / addon / "pyproject.toml").read_text())
        assert pyproject["build-system"]["build-backend"] == "whool.buildapi"
    bridge = build_wheel(ROOT / "helpdesk_mail_ticket_helpdesk_mgmt", tmp_path)
    assert bridge.name.startswith("odoo_addon_helpdesk_mail_ticket_helpdesk_mgmt-18.0.")
    with zipfile.ZipFile(bridge) as archive:
        metadata = next(
            archive.read(n).decode() for n in archive.namelist() if n.endswith("/METADATA")
        )
    assert "Requires-Dist: odoo-addon-helpdesk_mail_ticket" in metadata
    assert "Requires-Dist: odoo-addon-helpdesk_mgmt" in metadata
    queue_job_bridge = build_wheel(ROOT / "helpdesk_mail_ticket_queue_job", tmp_path / "qj")
    with zipfile.ZipFile(queue_job_bridge) as archive:
        metadata = next(
            archive.read(n).decode() for n in archive.namelist() if n.endswith("/METADATA")
        )
    assert "Requires-Dist: odoo-addon-helpdesk_mail_ticket" in metadata
    assert "Requires-Dist: odoo-addon-queue_job" in metadata
    meta = tomllib.loads((ROOT / "setup" / "_metapackage" / "pyproject.toml").read_text())[
        "project"
    ]
    assert meta["name"] == "odoo-addons-helpdesk-mail-ticket"
    assert sorted(meta["dependencies"]) == [f"odoo-addon-{addon}==18.0.*" for addon in addons]
    assert os.path.basename(meta["version"]).startswith("18.0.")
