# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""INBOX in any case is one mailbox: the inboxes' stored mailbox keys say so too.

Up to 18.0.1.3.0 the key of an inbox (login, server, folder) held the folder as written:
an inbox on "inbox" was keyed ".../inbox", and the one-inbox-a-mailbox check let another
inbox read INBOX, the same mail, each making its own tickets. The upgrade recomputes no
stored field whose code changed: this script keys every such inbox ".../INBOX" (a key
column only: the inbox reads the same mailbox, nothing is listed again).

Two inboxes reading INBOX already, in two cases, cannot both be keyed so (the unique key
would stop the upgrade): the first, active ones first, is; the other keeps its key and a
warning names both, for the administrator to archive one.
"""

import logging

from odoo.addons.helpdesk_mail_ticket.models.mail_inbox import folder_key

_logger = logging.getLogger("odoo.addons.helpdesk_mail_ticket.migrations")


def migrate(cr, version):
    if not version:
        return
    cr.execute(
        "SELECT id, name, login, server, mailbox_key FROM mail_inbox "
        "ORDER BY active DESC NULLS LAST, id"
    )
    rows = cr.fetchall()
    owners = {key: (inbox_id, name) for inbox_id, name, _login, _server, key in rows}
    for inbox_id, name, login, server, key in rows:
        # The folder part as stored: after the login and server as the key wrote them.
        prefix = f"{(login or '').strip().lower()}@{(server or '').strip().lower()}/"
        if not key or not key.startswith(prefix):
            continue
        new_key = prefix + folder_key(key[len(prefix) :])
        if new_key == key:
            continue
        owner = owners.get(new_key)
        if owner and owner[0] != inbox_id:
            _logger.warning(
                "Inboxes %r (id %s) and %r (id %s) read the same mailbox (%s): INBOX in "
                "any case is one folder; archive one of them, each makes its own ticket "
                "of every mail (README.rst, Upgrading to 18.0.1.4.0)",
                name,
                inbox_id,
                owner[1],
                owner[0],
                new_key,
            )
            continue
        cr.execute("UPDATE mail_inbox SET mailbox_key = %s WHERE id = %s", [new_key, inbox_id])
        owners.pop(key, None)
        owners[new_key] = (inbox_id, name)
