# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The attack of the idle cycle's and the batch's statement cuts: what an integrator's
hook on the synchronization lock's statement may name must never stop the mail of an
inbox."""

from unittest.mock import patch

from odoo.tests import tagged

from .common import MailTicketCase, make_email


@tagged("post_install", "-at_install")
class TestAttackSyncLockFields(MailTicketCase):
    def setUp(self):
        super().setUp()
        self.deliver(make_email(message_id="<lock-fields@client.example>", subject="Lock"))

    def _with_lock_fields(self, fields):
        """An integrator's module overriding the hook (as the queue_job bridge does)."""
        inbox_class = type(self.env["mail.inbox"])
        return patch.object(inbox_class, "_get_sync_lock_fields", fields)

    def test_a_computed_field_named_by_the_hook_does_not_stop_the_inbox(self):
        """The hook's doc asks for stored fields, the code filters what it cannot read
        with the row: a field computed on the fly (one an override's code reads, as
        the next run date or the counts of the Incoming eMails tab) named there was
        put in the SELECT as a column, which does not exist: every IMAP cycle failed
        and the mail was never recorded."""
        original = type(self.env["mail.inbox"])._get_sync_lock_fields
        with self._with_lock_fields(
            lambda inbox: (*original(inbox), "next_run_date", "message_count")
        ):
            result = self.inbox._fetch()
        self.assertFalse(result.get("failure"), result.get("failure"))
        self.assertEqual(self.ledger().state, "processed")

    def test_a_hook_naming_no_column_still_locks_and_reads_the_cursor(self):
        """An override that wants the row read as before (no field besides the cursor):
        the statement became 'SELECT , sync_cursor ...', a syntax error at every cycle."""
        with self._with_lock_fields(lambda inbox: ()):
            result = self.inbox._fetch()
            self.assertFalse(result.get("failure"), result.get("failure"))
            self.assertEqual(self.ledger().state, "processed")
            self.deliver(make_email(message_id="<lock-fields-2@client.example>"))
            result = self.inbox._fetch()
        self.assertFalse(result.get("failure"), result.get("failure"))
        self.assertEqual(self.ledger().mapped("state"), ["processed", "processed"])


@tagged("post_install", "-at_install")
class TestAttackSyncLockOverrides(MailTicketCase):
    """Overrides written against the methods as they were before the lock's statement
    told whether the ledger holds the cursor's last UID: ``_lock_sync_state`` returned
    a boolean, ``_get_listing_cursor`` took no argument."""

    def setUp(self):
        super().setUp()
        self.deliver(make_email(message_id="<override-1@client.example>"))
        self.fetch()
        self.deliver(make_email(message_id="<override-2@client.example>"))

    def test_an_override_of_the_lock_returning_a_boolean_keeps_the_inbox_polled(self):
        """An integrator's override of ``_lock_sync_state`` (say, logging who locks)
        returning ``bool(super())`` as the method's old contract did: the cycle called
        ``.get`` on True and failed, every cycle, the mail never recorded."""
        inbox_class = type(self.env["mail.inbox"])
        original = inbox_class._lock_sync_state
        with patch.object(inbox_class, "_lock_sync_state", lambda inbox: bool(original(inbox))):
            result = self.inbox._fetch()
        self.assertFalse(result.get("failure"), result.get("failure"))
        self.assertEqual(self.ledger().mapped("state"), ["processed", "processed"])

    def test_an_override_of_the_listing_cursor_without_argument_keeps_the_inbox_polled(self):
        """An override of ``_get_listing_cursor(self)`` (say, starting a migrated
        mailbox from a given UID): the cycle now passed it an argument, a TypeError at
        every cycle, the mail never recorded."""
        inbox_class = type(self.env["mail.inbox"])
        original = inbox_class._get_listing_cursor

        def listing_cursor(inbox):  # the override's signature: no argument
            return original(inbox)

        with patch.object(inbox_class, "_get_listing_cursor", listing_cursor):
            result = self.inbox._fetch()
        self.assertFalse(result.get("failure"), result.get("failure"))
        self.assertEqual(self.ledger().mapped("state"), ["processed", "processed"])
