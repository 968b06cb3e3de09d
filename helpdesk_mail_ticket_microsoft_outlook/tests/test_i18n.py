# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The bridge's terms are in its .pot and translated in fr.po and de.po.

To regenerate them after a change, see the docstring of
helpdesk_mail_ticket/tests/test_i18n.py, with this addon's name (install it in the
database first: Odoo's microsoft_outlook ships with Odoo).
"""

from odoo.tests import TransactionCase, tagged

from odoo.addons.helpdesk_mail_ticket.tests.oauth2_common import OAuth2BridgeI18nChecks


@tagged("post_install", "-at_install")
class TestMicrosoftOutlookBridgeI18n(OAuth2BridgeI18nChecks, TransactionCase):
    i18n_module = "helpdesk_mail_ticket_microsoft_outlook"
    i18n_field = "microsoft_outlook_refresh_token"
    i18n_field_labels = {
        "en_US": "Outlook Refresh Token",
        "fr_FR": "Jeton d'actualisation Outlook",
        "de_DE": "Outlook-Aktualisierungstoken",
    }
    i18n_connect_buttons = {
        "en_US": "Connect your Outlook account",
        "fr_FR": "Connecter votre compte Outlook",
        "de_DE": "Ihr Outlook-Konto verbinden",
    }
    i18n_unconnected_inbox = {
        "name": "Outlook",
        "server": "outlook.office365.com",
        "oauth2_provider": "microsoft",
    }
    i18n_not_set_up = {
        "fr_FR": "La connexion OAuth2 de helpdesk@example.com n'est pas configurée\xa0: "
        "connectez le compte Outlook avec «\xa0Connecter votre compte Outlook\xa0».",
        "de_DE": "Die OAuth2-Anmeldung von helpdesk@example.com ist nicht eingerichtet: "
        "verbinden Sie das Outlook-Konto mit „Ihr Outlook-Konto verbinden“.",
    }
