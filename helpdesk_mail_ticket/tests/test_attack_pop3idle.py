# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Attack on the poll's own state written by one UPDATE (``_write_poll_state``): what an
addon that overrides ``write`` (or an automation rule, which Odoo hooks into ``write``)
sees of an inbox's status."""

from datetime import timedelta
from unittest.mock import patch

from odoo import fields
from odoo.tests import tagged

from .common import MailTicketCase, make_email


@tagged("post_install", "-at_install")
class TestAttackPollStateWrite(MailTicketCase):
    def _statuses_written(self):
        """The statuses written through ``write``, as an override of it (calling super)
        sees them."""
        seen = []
        model = type(self.env["mail.inbox"])
        original = model.write

        def write(records, vals):
            if "state" in vals:
                seen.append(vals["state"])
            return original(records, vals)

        return seen, patch.object(model, "write", write)

    def test_an_override_of_write_sees_the_inbox_recover(self):
        # An integrator's override of write (or an automation rule on the status) is
        # told when the inbox fails: it must be told too when it works again, or it
        # keeps the inbox failing forever (an incident opened, never closed).
        self.deliver(make_email(subject="First"))
        self.fetch()
        password = self.inbox.password
        seen, spy = self._statuses_written()
        with spy:
            self.inbox.password = "wrong"
            self.assertTrue(self.inbox._fetch().get("failure"))
            self.inbox.password = password
            self.deliver(make_email(subject="Second"))
            self.fetch()
        self.assertEqual((self.inbox.state, self.inbox.failure_count), ("ok", 0))
        self.assertEqual(seen, ["error", "ok"])

    def test_a_working_inbox_records_its_success_without_write(self):
        # The steady state (ok -> ok, at the cron's periodicity) stays one UPDATE.
        self.deliver(make_email(subject="First"))
        self.fetch()
        self.assertEqual(self.inbox.state, "ok")
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE mail_inbox SET last_run_date = %s WHERE id = %s",
            [fields.Datetime.now() - timedelta(minutes=5), self.inbox.id],
        )
        self.inbox.invalidate_recordset()
        seen, spy = self._statuses_written()
        with spy:
            self.fetch()
        self.assertEqual(seen, [])
        self.assertGreater(self.inbox.last_run_date, fields.Datetime.now() - timedelta(minutes=1))
