#!/usr/bin/env python3
"""Make an addon's README.rst and description page from its ``readme/`` fragments.

OCA's layout: ``readme/DESCRIPTION.md``, ``CONFIGURE.md``, ``USAGE.md``, ``ROADMAP.md``,
``CONTRIBUTORS.md`` (the ones present) become README.rst's sections, and
``static/description/index.html`` is README.rst rendered by docutils: the page Odoo's Apps
screen shows for an application (Odoo renders README.rst itself only for the other
modules). The fragments use the Markdown that reads the same in reStructuredText:
paragraphs, ``- `` lists, ``*emphasis*``, ``**strong**``; ```code``` and
``[text](url)`` are converted.

Usage: ``python3 tools/gen_addon_readme.py [ADDON_DIR ...]`` (default:
``helpdesk_mail_ticket``); ``tests/test_addon_readme.py`` checks that both files are up
to date and free of docutils warnings.
"""

import argparse
import ast
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SECTIONS = [
    ("CONFIGURE", "Configuration"),
    ("USAGE", "Usage"),
    ("ROADMAP", "Known issues / Roadmap"),
]
LICENSES = {"AGPL-3": "AGPL-3.0 or later", "LGPL-3": "LGPL-3.0 or later"}
HEADER = """\
..
   Made by tools/gen_addon_readme.py from the fragments of readme/: edit those, then
   run it again.
"""


def md_to_rst(text):
    """The RST of a fragment: inline code and links converted, the rest as it is."""
    text = re.sub(r"(?<!`)`([^`\n]+)`(?!`)", r"``\1``", text)
    return re.sub(r"\[([^\]]+)\]\(([^)\s]+)\)", r"`\1 <\2>`__", text).strip() + "\n"


def title(text, char, overline=False):
    line = char * len(text)
    return f"{line}\n{text}\n{line}\n" if overline else f"{text}\n{line}\n"


def readme(addon_dir):
    addon_dir = Path(addon_dir)
    manifest = ast.literal_eval((addon_dir / "__manifest__.py").read_text(encoding="utf-8"))

    def fragment(name):
        path = addon_dir / "readme" / f"{name}.md"
        return md_to_rst(path.read_text(encoding="utf-8")) if path.is_file() else None

    parts = [title(manifest["name"], "=", overline=True), HEADER, fragment("DESCRIPTION")]
    parts.append("**Table of contents**\n\n.. contents::\n   :local:\n")
    for name, heading in SECTIONS:
        body = fragment(name)
        if body:
            parts += [title(heading, "="), body]
    parts += [title("Credits", "="), title("Authors", "-"), f"* {manifest['author']}\n"]
    contributors = fragment("CONTRIBUTORS")
    if contributors:
        parts += [title("Contributors", "-"), contributors]
    license_name = LICENSES.get(manifest["license"], manifest["license"])
    parts.append(f"License: {license_name}.\n")
    return "\n".join(part for part in parts if part)


def description_page(addon_dir):
    """README.rst as HTML, with no stylesheet (Odoo styles the page) and no local path."""
    from docutils.core import publish_string

    manifest = ast.literal_eval((Path(addon_dir) / "__manifest__.py").read_text(encoding="utf-8"))
    return publish_string(
        source=(Path(addon_dir) / "README.rst").read_text(encoding="utf-8"),
        writer_name="html4css1",
        settings_overrides={
            "embed_stylesheet": False,
            "stylesheet_path": "",
            "stylesheet": "",
            "doctitle_xform": False,
            "output_encoding": "unicode",
            "xml_declaration": False,
            "file_insertion_enabled": False,
            "raw_enabled": False,
            "title": manifest["name"],
            "halt_level": 2,  # a warning stops the generation
        },
    )


def main(argv):
    parser = argparse.ArgumentParser(
        description="Write each addon's README.rst and static/description/index.html "
        "from its readme/ fragments."
    )
    parser.add_argument("addons", nargs="*", help="addon folders (default: helpdesk_mail_ticket)")
    argv = parser.parse_args(argv).addons
    for addon_dir in argv or [ROOT / "helpdesk_mail_ticket"]:
        addon_dir = Path(addon_dir)
        (addon_dir / "README.rst").write_text(readme(addon_dir), encoding="utf-8")
        page = addon_dir / "static" / "description" / "index.html"
        page.write_text(description_page(addon_dir), encoding="utf-8")
        print(f"wrote {addon_dir / 'README.rst'} and {page}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
