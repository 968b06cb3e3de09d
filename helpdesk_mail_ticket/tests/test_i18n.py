# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Every term Odoo exports for the addon is in its .pot and translated in fr.po and de.po.

The terms come from Odoo's own exporter (``TranslationModuleReader``): field labels and
helps, selection values, view texts, menus, actions, records, ``self.env._(...)`` in
Python. A string added without a translation fails here, named.

After adding or changing such a string, regenerate the .pot files and merge them into
the .po files, from the repository root (ADDONS: this checkout, Odoo's ``odoo/addons``
and ``addons`` folders, and the folder holding OCA's helpdesk_mgmt, see
tools/run_tests.py; install the bridge too, its helpdesk.ticket terms are in the .pot)::

    createdb -h 127.0.0.1 -U root hmt_i18n
    ODOO="python3 -m odoo --addons-path=$ADDONS --db_host=127.0.0.1 --db_user=root \\
        -d hmt_i18n --stop-after-init"
    $ODOO -i helpdesk_mail_ticket,helpdesk_mail_ticket_helpdesk_mgmt --without-demo=all
    for m in helpdesk_mail_ticket helpdesk_mail_ticket_helpdesk_mgmt; do
        $ODOO --i18n-export=$m/i18n/$m.pot --modules=$m
        for l in fr de; do
            msgmerge --quiet --update --backup=none --no-fuzzy-matching \\
                $m/i18n/$l.po $m/i18n/$m.pot
            msgattrib --no-obsolete -o $m/i18n/$l.po $m/i18n/$l.po
        done
    done
    dropdb -h 127.0.0.1 -U root hmt_i18n

then translate every empty ``msgstr`` (``msgattrib --untranslated $m/i18n/fr.po`` lists
them, and so do these tests) and run::

    HMT_ONLY=odoo python3 tools/run_tests.py  # or, just these tests:
    HMT_ONLY=odoo HMT_ODOO_TEST_TAGS=/helpdesk_mail_ticket:TestI18n,\
    /helpdesk_mail_ticket_helpdesk_mgmt:TestBridgeI18n python3 tools/run_tests.py
    python3 -m pytest -q tests/test_i18n_files.py
"""

import os

import polib

from odoo.exceptions import ValidationError
from odoo.modules.module import get_module_path
from odoo.tests import TransactionCase, tagged
from odoo.tools.translate import TranslationModuleReader

LANGS = ("fr_FR", "de_DE")
HOW_TO = "regenerate as the docstring of helpdesk_mail_ticket/tests/test_i18n.py says"


def exported_terms(env, module):
    """{source: occurrences} of every term Odoo's exporter finds for ``module``.

    Records' terms are loaded by external id, so their occurrences matter; code terms
    are looked up by their source alone, so they carry none."""
    terms = {}
    for row in TranslationModuleReader(env.cr, modules=[module]):
        term_module, kind, name, res_id, source = row[:5]
        if term_module != module:
            continue
        occurrences = terms.setdefault(source, set())
        if kind != "code":
            occurrences.add(f"{kind}:{name}:{res_id}")
    return terms


def read_po(module, filename):
    """{msgid: entry} of the addon's i18n file, obsolete entries left out."""
    path = os.path.join(get_module_path(module), "i18n", filename)
    return {entry.msgid: entry for entry in polib.pofile(path) if not entry.obsolete}


def listing(items):
    return "\n".join(f"  {item!r}" for item in sorted(items))


class I18nChecks:
    """The checks every addon of the repository runs on its own terms; mixed into an
    Odoo test class that sets ``i18n_module``. French and German are active, with the
    translations of ``i18n_module`` and of ``i18n_also_loaded`` (for a bridge, the main
    addon's) loaded."""

    i18n_module = None
    i18n_also_loaded = ()
    # Odoo's test loader runs only the test methods a class defines itself, unless told.
    allow_inherited_tests_method = True

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.terms = exported_terms(cls.env, cls.i18n_module)
        for lang in LANGS:
            cls.env["res.lang"]._activate_lang(lang)
        modules = cls.env["ir.module.module"].search(
            [("name", "in", [cls.i18n_module, *cls.i18n_also_loaded])]
        )
        modules._update_translations(list(LANGS), overwrite=True)

    def assertFieldLabel(self, model, field, expected):
        """``expected``: {lang: label} of ``field`` of ``model``."""
        for lang, label in expected.items():
            records = self.env[model].with_context(lang=lang)
            with self.subTest(lang=lang, field=field):
                self.assertEqual(records.fields_get([field])[field]["string"], label)

    def test_exporter_finds_terms(self):
        self.assertTrue(self.terms, f"Odoo exports no term for {self.i18n_module}")

    def test_pot_lists_every_exported_term(self):
        pot = read_po(self.i18n_module, f"{self.i18n_module}.pot")
        missing = set(self.terms) - set(pot)
        stale = set(pot) - set(self.terms)
        self.assertFalse(missing, f"Terms missing from the .pot ({HOW_TO}):\n{listing(missing)}")
        self.assertFalse(stale, f"Terms no longer in the code ({HOW_TO}):\n{listing(stale)}")
        unplaced = {
            occurrence
            for source, occurrences in self.terms.items()
            for occurrence in occurrences - {name for name, _line in pot[source].occurrences}
        }
        self.assertFalse(
            unplaced, f"Records missing from the .pot's references ({HOW_TO}):\n{listing(unplaced)}"
        )

    def test_every_term_is_translated_in_french_and_german(self):
        for filename in ("fr.po", "de.po"):
            with self.subTest(filename=filename):
                po = read_po(self.i18n_module, filename)
                untranslated = {
                    source
                    for source in self.terms
                    if source not in po
                    or not po[source].msgstr.strip()
                    or "fuzzy" in po[source].flags
                }
                self.assertFalse(
                    untranslated,
                    f"{self.i18n_module}/i18n/{filename} lacks a translation of "
                    f"({HOW_TO}):\n{listing(untranslated)}",
                )


@tagged("post_install", "-at_install")
class TestI18n(I18nChecks, TransactionCase):
    i18n_module = "helpdesk_mail_ticket"

    @staticmethod
    def interface(env):
        """Texts a user sees, in the environment's language."""
        inbox = env["mail.inbox"].fields_get(["unknown_caller_behavior", "active", "email_storage"])
        form = env.ref("helpdesk_mail_ticket.mail_inbox_view_form")
        return {
            "field": inbox["unknown_caller_behavior"]["string"],
            "help": inbox["active"]["help"],
            "selection": dict(inbox["email_storage"]["selection"])["delete"],
            "menu": env.ref("helpdesk_mail_ticket.mail_inbox_menu").name,
            "stage": env.ref("helpdesk_mail_ticket.stage_new").name,
            "arch": env["mail.inbox"].get_view(form.id, "form")["arch"],
        }

    def assertInterface(self, lang, expected):
        seen = self.interface(self.env(context=dict(self.env.context, lang=lang)))
        self.assertIn(expected.pop("button"), seen.pop("arch"))
        self.assertEqual(seen, expected)

    def test_interface_in_english(self):
        self.assertInterface(
            "en_US",
            {
                "field": "Behavior in case of Unknown Caller",
                "help": "Only active inboxes are polled.",
                "selection": "Delete the eMail immediately",
                "menu": "Incoming eMail Inboxes",
                "stage": "New",
                "button": 'string="Test connection"',
            },
        )

    def test_interface_in_french(self):
        self.assertInterface(
            "fr_FR",
            {
                "field": "Comportement en cas de demandeur inconnu",
                "help": "Seules les boîtes de réception actives sont relevées.",
                "selection": "Supprimer l'e-mail immédiatement",
                "menu": "Boîtes de réception d'e-mails entrants",
                "stage": "Nouveau",
                "button": 'string="Tester la connexion"',
            },
        )

    def test_interface_in_german(self):
        self.assertInterface(
            "de_DE",
            {
                "field": "Verhalten bei unbekanntem Melder",
                "help": "Nur aktive Posteingänge werden abgefragt.",
                "selection": "Die E-Mail sofort löschen",
                "menu": "E-Mail-Posteingänge",
                "stage": "Neu",
                "button": 'string="Verbindung testen"',
            },
        )

    def test_error_from_python_code_is_translated(self):
        expected = {
            "fr_FR": "La périodicité doit être d'au moins 1 seconde.",
            "de_DE": "Die Periodizität muss mindestens 1 Sekunde betragen.",
        }
        for lang, message in expected.items():
            settings = self.env["res.config.settings"].with_context(lang=lang)
            with self.subTest(lang=lang), self.assertRaises(ValidationError) as caught:
                settings.create({"hmt_periodicity": 0}).execute()
            self.assertEqual(str(caught.exception), message)
