# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Attacks on the cheaper idle cycle (issue 13): each step of a cycle stays an
overridable method that every cycle calls, idle or not."""

from unittest.mock import patch

from odoo.tests import tagged

from .common import MailTicketCase, make_email


@tagged("post_install", "-at_install")
class TestAttackPollCostOverrides(MailTicketCase):
    """Overrides an integrator writes against the server actions' steps."""

    def setUp(self):
        super().setUp()
        self.inbox.email_storage = "delete"

    def test_an_override_of_the_candidates_is_called_by_an_idle_cycle_too(self):
        """An integrator's override of ``_server_action_candidates`` (a legal hold:
        nothing leaves the server) was obeyed by the cycle that processed the mail,
        then skipped by the next, idle, cycle: the mail was deleted from the server."""
        inbox_class = type(self.env["mail.inbox"])
        calls = []

        def legal_hold(inbox):
            calls.append(inbox.id)
            return inbox.env["mail.inbox.message"]

        self.deliver(make_email(message_id="<hold-1@client.example>"))
        with patch.object(inbox_class, "_server_action_candidates", legal_hold):
            self.fetch()
            self.assertEqual(self.ledger().state, "processed")
            self.assertEqual(len(self.server_uids()), 1)
            self.assertEqual(self.fetch()["new"], 0)  # idle
        self.assertEqual(len(self.server_uids()), 1, "the held mail left the server")
        self.assertTrue(self.ledger().on_server)
        self.assertEqual(calls, [self.inbox.id, self.inbox.id])

    def test_an_override_of_the_server_actions_with_their_former_signature_polls(self):
        """An override of ``_apply_server_actions(self, source)`` (say, logging what
        leaves the server), written against the method's signature before issue 13: the
        cycle now passed it ``candidates=``, a TypeError at every cycle, after the
        processing: processed mail never left the server, the inbox in error."""
        inbox_class = type(self.env["mail.inbox"])
        original = inbox_class._apply_server_actions

        def apply_server_actions(inbox, source):  # the override's signature
            return original(inbox, source)

        self.deliver(make_email(message_id="<signature-1@client.example>"))
        with patch.object(inbox_class, "_apply_server_actions", apply_server_actions):
            self.fetch()
            self.assertEqual(self.fetch()["new"], 0)  # idle
        self.assertEqual(self.ledger().state, "processed")
        self.assertEqual(self.server_uids(), [])
