# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Attacks on the hunt-edges change: a refused second inbox never names an inbox the
administrator may not see."""

from psycopg2 import IntegrityError

from odoo.exceptions import ValidationError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import MailTicketCase


@tagged("post_install", "-at_install")
class TestAttackEdges2(MailTicketCase):
    def test_a_refusal_does_not_name_another_companys_inbox(self):
        other = self.env["res.company"].create({"name": "Other Co"})
        self.inbox.write({"company_id": other.id, "name": "Board secret inbox"})
        manager = self.manager.with_company(self.manager.company_id)
        self.assertNotIn(other, manager.company_ids)
        vals = dict(self.inbox.read(["server", "protocol", "security", "port"])[0])
        vals.pop("id")
        vals.update(name="mine", login=self.mailbox_login, password="x")
        # Refused either way (main: the unique key; now: the check before it).
        refusal = None
        try:
            with self.env.cr.savepoint(), mute_logger("odoo.sql_db"):
                self.env["mail.inbox"].with_user(manager).create(vals)
        except (ValidationError, IntegrityError) as error:
            refusal = str(error)
        self.assertTrue(refusal, "a second inbox on the mailbox was accepted")
        self.assertNotIn("Board secret inbox", refusal)
