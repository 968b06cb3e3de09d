# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The bridge's terms are in its .pot and translated in fr.po and de.po.

To regenerate them after a change, see the docstring of
helpdesk_mail_ticket/tests/test_i18n.py, with this addon's name (install it in the
database first: OCA's queue_job is in the same folder as helpdesk_mgmt).
"""

from odoo.tests import TransactionCase, tagged

from odoo.addons.helpdesk_mail_ticket.tests.test_i18n import LANGS, I18nChecks


@tagged("post_install", "-at_install")
class TestQueueJobBridgeI18n(I18nChecks, TransactionCase):
    i18n_module = "helpdesk_mail_ticket_queue_job"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        for lang in LANGS:
            cls.env["res.lang"]._activate_lang(lang)
        modules = cls.env["ir.module.module"].search([("name", "=", cls.i18n_module)])
        modules._update_translations(list(LANGS), overwrite=True)

    def test_the_option_in_french_and_german(self):
        expected = {
            "en_US": "Process as Queue Jobs",
            "fr_FR": "Traiter en tâches de file d'attente",
            "de_DE": "Als Warteschlangen-Jobs verarbeiten",
        }
        for lang, label in expected.items():
            inboxes = self.env["mail.inbox"].with_context(lang=lang)
            with self.subTest(lang=lang):
                self.assertEqual(
                    inboxes.fields_get(["use_queue_job"])["use_queue_job"]["string"], label
                )
