"""The addons' description pages: README.rst files that docutils renders without a
warning (Odoo renders them when it updates its list of modules, and prints every warning),
and the main addon's README.rst and description page made from its ``readme/`` fragments
by ``tools/gen_addon_readme.py``, as OCA's tooling makes them.
"""

import importlib.util
import io
import re
from pathlib import Path

import pytest

docutils_core = pytest.importorskip("docutils.core")
import docutils  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
ADDON = ROOT / "helpdesk_mail_ticket"
FRAGMENTS = ["DESCRIPTION", "CONFIGURE", "USAGE", "ROADMAP", "CONTRIBUTORS"]
ADDONS = sorted(path.parent for path in ROOT.glob("*/__manifest__.py"))


def _load_generator():
    path = ROOT / "tools" / "gen_addon_readme.py"
    spec = importlib.util.spec_from_file_location("hmt_gen_addon_readme", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def render_warnings(rst):
    """docutils' messages of level WARNING and above, rendered with Odoo's settings
    (base/models/ir_module.py, _get_desc)."""
    stream = io.StringIO()
    docutils_core.publish_string(
        source=rst,
        writer_name="html4css1",
        settings_overrides={
            "embed_stylesheet": False,
            "doctitle_xform": False,
            "output_encoding": "unicode",
            "xml_declaration": False,
            "file_insertion_enabled": False,
            "report_level": 2,
            "halt_level": 5,
            "warning_stream": stream,
        },
    )
    return stream.getvalue()


@pytest.mark.parametrize("addon", ADDONS, ids=[addon.name for addon in ADDONS])
def test_readme_renders_without_docutils_warnings(addon):
    assert render_warnings((addon / "README.rst").read_text(encoding="utf-8")) == ""


def test_main_addon_has_oca_readme_fragments():
    for name in FRAGMENTS:
        text = (ADDON / "readme" / f"{name}.md").read_text(encoding="utf-8")
        assert text.strip(), name


def test_readme_is_made_from_the_fragments():
    generated = _load_generator().readme(ADDON)
    assert (ADDON / "README.rst").read_text(encoding="utf-8") == generated, (
        "README.rst is not up to date: python3 tools/gen_addon_readme.py"
    )
    for name in FRAGMENTS:  # every fragment's first words are in it
        first = (ADDON / "readme" / f"{name}.md").read_text(encoding="utf-8").split()[:3]
        assert " ".join(first).lstrip("- *") in " ".join(generated.split()), name


def test_description_page_is_made_from_the_readme():
    """An application's page in Odoo's Apps is static/description/index.html."""
    page = (ADDON / "static" / "description" / "index.html").read_text(encoding="utf-8")
    made_with = re.search(r'content="Docutils ([^ ":]+)', page)
    if made_with is None or made_with.group(1) != docutils.__version__:
        pytest.skip(
            f"!!! index.html WAS MADE WITH DOCUTILS {made_with and made_with.group(1)}, "
            f"THIS IS {docutils.__version__}: NOT COMPARED !!!"
        )
    assert page == _load_generator().description_page(ADDON), (
        "index.html is not up to date: python3 tools/gen_addon_readme.py"
    )
    assert "system-message" not in page


def test_repository_readme_renders_without_docutils_warnings():
    assert render_warnings((ROOT / "README.rst").read_text(encoding="utf-8")) == ""
