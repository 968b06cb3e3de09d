# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The inbox's IMAP folder state becomes the mail source's opaque sync cursor.

Up to 18.0.1.1.0 four columns of ``mail_inbox`` held it: ``imap_uidvalidity``,
``imap_uidnext``, ``imap_message_count`` (what ``ImapSource.list_changes`` now keeps in
``sync_cursor``) and ``imap_highestmodseq`` (written, never read). The state carries over
so that no mailbox is listed in full after the update; the columns are dropped (Odoo
keeps the columns of removed fields).
"""

import logging

_logger = logging.getLogger(__name__)

OLD_COLUMNS = ("imap_uidvalidity", "imap_uidnext", "imap_message_count", "imap_highestmodseq")


def migrate(cr, version):
    if not version:
        return
    cr.execute(
        "SELECT column_name FROM information_schema.columns "
        "WHERE table_name = 'mail_inbox' AND column_name IN %s",
        [OLD_COLUMNS],
    )
    present = {row[0] for row in cr.fetchall()}
    if {"imap_uidvalidity", "imap_uidnext", "imap_message_count"} <= present:
        cr.execute(
            """
            UPDATE mail_inbox
               SET sync_cursor = jsonb_build_object(
                       'uidvalidity', imap_uidvalidity,
                       'uidnext', COALESCE(imap_uidnext, 0),
                       'messages', COALESCE(imap_message_count, 0))
             WHERE COALESCE(imap_uidvalidity, '') != '' AND protocol = 'imap'
            """
        )
        _logger.info("%s inbox(es): IMAP folder state moved to sync_cursor", cr.rowcount)
    for column in sorted(present):
        cr.execute(f'ALTER TABLE mail_inbox DROP COLUMN "{column}"')
