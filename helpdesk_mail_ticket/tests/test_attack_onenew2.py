# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The attack of issue 13's onenew2 cuts: the first claim reads what the download
needs (``_download_fields``) in its own SQL statement. That list is an extension
point: an integrator's download may read a field of the line that is no column of its
table (computed, related, not stored), or whose column holds more than its value (one
per company), which the ORM's read gave it as the current company's before."""

from unittest.mock import patch

from odoo.tests import tagged

from .common import MailTicketCase, make_email


@tagged("post_install", "-at_install")
class TestAttackOneNew2DownloadFields(MailTicketCase):
    def fetch_reading(self, name):
        """Fetch with ``name`` among the fields the download reads (an integrator's
        override of ``_download_fields``); returns the result and what each download
        saw of the field."""
        model = type(self.env["mail.inbox.message"])
        original, original_get_raw, seen = model._download_fields, model._get_raw, []

        def download_fields(line):
            return [*original(line), name]

        def get_raw(line, source, settings, marked=False):
            raw = original_get_raw(line, source, settings, marked=marked)
            seen.append(line[name])
            return raw

        with (
            patch.object(model, "_download_fields", download_fields),
            patch.object(model, "_get_raw", get_raw),
        ):
            return self.fetch(), seen

    def test_a_download_field_without_column_is_still_read(self):
        self.fetch()
        # One transaction a message: the first is claimed with the synchronization's
        # commit, the second with the first's outcome.
        self.env["ir.config_parameter"].set_param("helpdesk_mail_ticket.batch_size", "1")
        for number in range(2):
            self.deliver(make_email(subject=f"Integrator {number}", message_id=f"<i-{number}@c.x>"))
        # An integrator's download reading the line's headers (computed, no column).
        result, seen = self.fetch_reading("headers_text")
        self.assertEqual((result["new"], result["processed"]), (2, 2), result)
        lines = self.ledger().filtered(lambda m: m.subject.startswith("Integrator"))
        self.assertEqual(lines.mapped("state"), ["processed", "processed"])
        self.assertEqual(lines.mapped("attempts"), [1, 1])
        self.assertEqual(len(seen), 2, "each download read it")

    def test_a_company_dependent_download_field_reads_the_companys_value(self):
        # A field an integrator adds to the line whose column holds every company's
        # value (company dependent): the download must see the current company's.
        self.env["ir.model.fields"].create(
            {
                "model_id": self.env["ir.model"]._get_id("mail.inbox.message"),
                "name": "x_download_team",
                "ttype": "char",
                "company_dependent": True,
            }
        )
        company = self.inbox.company_id or self.env.company
        self.env["ir.default"].set(
            "mail.inbox.message", "x_download_team", "Team A", company_id=company.id
        )
        self.fetch()
        self.deliver(make_email(subject="Company dependent", message_id="<cd-1@c.x>"))
        result, seen = self.fetch_reading("x_download_team")
        self.assertEqual((result["new"], result["processed"]), (1, 1), result)
        self.assertEqual(seen, ["Team A"])
