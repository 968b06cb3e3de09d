# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The bridge's terms are in its .pot and translated in fr.po and de.po.

To regenerate them after a change, see the docstring of
helpdesk_mail_ticket/tests/test_i18n.py (it does both addons).
"""

from odoo.tests import TransactionCase, tagged

from odoo.addons.helpdesk_mail_ticket.tests.test_i18n import LANGS, I18nChecks


@tagged("post_install", "-at_install")
class TestBridgeI18n(I18nChecks, TransactionCase):
    i18n_module = "helpdesk_mail_ticket_helpdesk_mgmt"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        for lang in LANGS:
            cls.env["res.lang"]._activate_lang(lang)
        modules = cls.env["ir.module.module"].search(
            [("name", "in", ["helpdesk_mail_ticket", cls.i18n_module])]
        )
        modules._update_translations(list(LANGS), overwrite=True)

    def test_helpdesk_ticket_fields_in_french_and_german(self):
        """The bridge's field, and the main addon's selection on OCA's ticket."""
        expected = {
            "en_US": ("Incoming eMail Inbox", "Email"),
            "fr_FR": ("Boîte de réception d'e-mails entrants", "E-mail"),
            "de_DE": ("E-Mail-Posteingang", "E-Mail"),
        }
        for lang, (label, origin) in expected.items():
            tickets = self.env["helpdesk.ticket"].with_context(lang=lang)
            fields = tickets.fields_get(["mail_inbox_id", "origin"])
            with self.subTest(lang=lang):
                self.assertEqual(fields["mail_inbox_id"]["string"], label)
                self.assertEqual(dict(fields["origin"]["selection"])["mail"], origin)
