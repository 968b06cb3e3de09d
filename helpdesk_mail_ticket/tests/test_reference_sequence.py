# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Ticket references are drawn as ``ir.sequence.next_by_code`` draws them: the
sequence's prefix, padding and date ranges, and an integrator's override of
``next_by_code``, even in a batch of new tickets."""

from unittest.mock import patch

from odoo import fields
from odoo.tests import tagged

from .common import MailTicketCase, make_email


@tagged("post_install", "-at_install")
class TestReferenceSequence(MailTicketCase):
    def new_tickets(self, count):
        """``count`` emails made into tickets by one cycle (a batch); their references
        in the order of the emails."""
        for number in range(count):
            self.deliver(make_email(subject=f"Reference {number}"))
        self.assertEqual(self.fetch()["processed"], count)
        return [line._get_ticket().reference for line in self.ledger().sorted("id")]

    def test_a_date_range_sequence_numbers_by_year(self):
        sequence = self.env.ref("helpdesk_mail_ticket.seq_helpdesk_mail_ticket")
        year = fields.Date.today().year
        sequence.write({"use_date_range": True, "prefix": "HD-%(range_year)s-", "padding": 4})
        sequence.date_range_ids.unlink()
        self.env["ir.sequence.date_range"].create(
            {"sequence_id": sequence.id, "date_from": f"{year}-01-01",
             "date_to": f"{year}-12-31", "number_next_actual": 41}
        )  # fmt: skip
        self.assertEqual(self.new_tickets(3), [f"HD-{year}-{n:04d}" for n in (41, 42, 43)])

    def test_an_override_of_next_by_code_draws_every_reference(self):
        """An integrator's ``next_by_code`` (here: references of the mail channel
        prefixed) was skipped: the batch drew its numbers from the sequence itself."""
        sequence_class = type(self.env["ir.sequence"])
        original = sequence_class.next_by_code

        def next_by_code(sequences, sequence_code, sequence_date=None):
            reference = original(sequences, sequence_code, sequence_date)
            return f"MAIL/{reference}" if sequence_code == "helpdesk.mail.ticket" else reference

        with patch.object(sequence_class, "next_by_code", next_by_code):
            references = self.new_tickets(3)
            single = self.env["helpdesk.mail.ticket"].create({"name": "By hand"}).reference
        self.assertEqual(len(set(references)), 3)
        for reference in [*references, single]:
            self.assertRegex(reference, r"^MAIL/R-\d{6}$")
