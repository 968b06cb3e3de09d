# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.tests import TransactionCase, tagged
from odoo.tools import sql


@tagged("post_install", "-at_install")
class TestHelpdeskTicketWriteDateIndex(TransactionCase):
    def test_the_index_exists_after_install(self):
        # Made when the bridge is installed, never by an inbox's poll cycle.
        self.assertTrue(sql.index_exists(self.env.cr, "helpdesk_ticket__hmt_write_date_index"))
