# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The bridge's terms are in its .pot and translated in fr.po and de.po.

To regenerate them after a change, see the docstring of
helpdesk_mail_ticket/tests/test_i18n.py (it does both addons).
"""

from odoo.tests import TransactionCase, tagged

from odoo.addons.helpdesk_mail_ticket.tests.test_i18n import I18nChecks


@tagged("post_install", "-at_install")
class TestBridgeI18n(I18nChecks, TransactionCase):
    i18n_module = "helpdesk_mail_ticket_helpdesk_mgmt"
    i18n_also_loaded = ("helpdesk_mail_ticket",)

    def test_helpdesk_ticket_fields_in_french_and_german(self):
        """The bridge's field, and the main addon's selection on OCA's ticket."""
        self.assertFieldLabel(
            "helpdesk.ticket",
            "mail_inbox_id",
            {
                "en_US": "Incoming eMail Inbox",
                "fr_FR": "Boîte de réception d'e-mails entrants",
                "de_DE": "E-Mail-Posteingang",
            },
        )
        expected = {"en_US": "Email", "fr_FR": "E-mail", "de_DE": "E-Mail"}
        for lang, origin in expected.items():
            tickets = self.env["helpdesk.ticket"].with_context(lang=lang)
            selection = tickets.fields_get(["origin"])["origin"]["selection"]
            with self.subTest(lang=lang):
                self.assertEqual(dict(selection)["mail"], origin)
