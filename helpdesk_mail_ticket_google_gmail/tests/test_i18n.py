# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The bridge's terms are in its .pot and translated in fr.po and de.po.

To regenerate them after a change, see the docstring of
helpdesk_mail_ticket/tests/test_i18n.py, with this addon's name (install it in the
database first: Odoo's google_gmail ships with Odoo).
"""

from odoo.tests import TransactionCase, tagged

from odoo.addons.helpdesk_mail_ticket.tests.oauth2_common import OAuth2BridgeI18nChecks


@tagged("post_install", "-at_install")
class TestGoogleGmailBridgeI18n(OAuth2BridgeI18nChecks, TransactionCase):
    i18n_module = "helpdesk_mail_ticket_google_gmail"
    i18n_field = "google_gmail_access_token_expiration"
    i18n_field_labels = {
        "en_US": "Access Token Expiration Timestamp",
        "fr_FR": "Horodatage d'expiration du jeton d'accès",
        "de_DE": "Ablaufzeitstempel des Zugriffstokens",
    }
    i18n_connect_buttons = {
        "en_US": "Connect your Gmail account",
        "fr_FR": "Connecter votre compte Gmail",
        "de_DE": "Ihr Gmail-Konto verbinden",
    }
    i18n_unconnected_inbox = {
        "name": "Gmail",
        "server": "imap.gmail.com",
        "oauth2_provider": "google",
    }
    i18n_not_set_up = {
        "fr_FR": "La connexion OAuth2 de helpdesk@example.com n'est pas configurée\xa0: "
        "connectez le compte Gmail avec «\xa0Connecter votre compte Gmail\xa0».",
        "de_DE": "Die OAuth2-Anmeldung von helpdesk@example.com ist nicht eingerichtet: "
        "verbinden Sie das Gmail-Konto mit „Ihr Gmail-Konto verbinden“.",
    }
