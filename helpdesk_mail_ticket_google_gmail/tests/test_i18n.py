# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The bridge's terms are in its .pot and translated in fr.po and de.po.

To regenerate them after a change, see the docstring of
helpdesk_mail_ticket/tests/test_i18n.py, with this addon's name (install it in the
database first: Odoo's google_gmail ships with Odoo).
"""

from odoo.exceptions import UserError
from odoo.tests import TransactionCase, tagged

from odoo.addons.helpdesk_mail_ticket.tests.test_i18n import LANGS, I18nChecks


@tagged("post_install", "-at_install")
class TestGoogleGmailBridgeI18n(I18nChecks, TransactionCase):
    i18n_module = "helpdesk_mail_ticket_google_gmail"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        for lang in LANGS:
            cls.env["res.lang"]._activate_lang(lang)
        modules = cls.env["ir.module.module"].search(
            [("name", "in", ["helpdesk_mail_ticket", cls.i18n_module])]
        )
        modules._update_translations(list(LANGS), overwrite=True)

    def test_field_and_button_in_french_and_german(self):
        """A field the bridge adds to the inbox, and its connect button on the form."""
        expected = {
            "en_US": ("Access Token Expiration Timestamp", "Connect your Gmail account"),
            "fr_FR": ("Horodatage d'expiration du jeton d'accès", "Connecter votre compte Gmail"),
            "de_DE": ("Ablaufzeitstempel des Zugriffstokens", "Ihr Gmail-Konto verbinden"),
        }
        form = self.env.ref("helpdesk_mail_ticket.mail_inbox_view_form")
        for lang, (label, button) in expected.items():
            inboxes = self.env["mail.inbox"].with_context(lang=lang)
            field = "google_gmail_access_token_expiration"
            with self.subTest(lang=lang):
                self.assertEqual(inboxes.fields_get([field])[field]["string"], label)
                self.assertIn(f">{button}</span>", inboxes.get_view(form.id, "form")["arch"])

    def test_unconnected_account_explained_in_french_and_german(self):
        """The main addon's message around the bridge's explanation, both translated."""
        inbox = self.env["mail.inbox"].create(
            {
                "name": "Gmail",
                "server": "imap.gmail.com",
                "login": "helpdesk@example.com",
                "auth_method": "oauth2",
                "oauth2_provider": "google",
            }
        )
        expected = {
            "fr_FR": "La connexion OAuth2 de helpdesk@example.com n'est pas configurée\xa0: "
            "connectez le compte Gmail avec «\xa0Connecter votre compte Gmail\xa0».",
            "de_DE": "Die OAuth2-Anmeldung von helpdesk@example.com ist nicht eingerichtet: "
            "verbinden Sie das Gmail-Konto mit „Ihr Gmail-Konto verbinden“.",
        }
        for lang, message in expected.items():
            with self.subTest(lang=lang), self.assertRaises(UserError) as caught:
                inbox.with_context(lang=lang).action_test_connection()
            self.assertEqual(str(caught.exception), message)
