# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The bridge's terms are in its .pot and translated in fr.po and de.po.

To regenerate them after a change, see the docstring of
helpdesk_mail_ticket/tests/test_i18n.py, with this addon's name (install it in the
database first: OCA's queue_job is in the same folder as helpdesk_mgmt).
"""

from odoo.tests import TransactionCase, tagged

from odoo.addons.helpdesk_mail_ticket.tests.test_i18n import I18nChecks


@tagged("post_install", "-at_install")
class TestQueueJobBridgeI18n(I18nChecks, TransactionCase):
    i18n_module = "helpdesk_mail_ticket_queue_job"

    def test_the_option_in_french_and_german(self):
        self.assertFieldLabel(
            "mail.inbox",
            "use_queue_job",
            {
                "en_US": "Process as Queue Jobs",
                "fr_FR": "Traiter en tâches de file d'attente",
                "de_DE": "Als Warteschlangen-Jobs verarbeiten",
            },
        )
