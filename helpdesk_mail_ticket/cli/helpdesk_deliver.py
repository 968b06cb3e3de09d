# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""``odoo helpdesk_deliver``: take one email on standard input for an inbox (push delivery).

For mail servers that can pipe a message to a command, as Odoo's mailgate and RT's
rt-mailgate do. The message is recorded in the inbox's ledger with its bytes, then
processed exactly as a fetched one::

    python3 -m odoo --addons-path=ADDONS helpdesk_deliver -d DATABASE --inbox NAME < mail.eml

Exit status, as sendmail's ``sysexits.h`` means it for a delivery agent:

* 0: the message is in the ledger, processed: ticket created or updated, or set aside
  as undesired or in error (the admin sees it in Mailbox Content);
* 75 (EX_TEMPFAIL): the database could not take it (server down, unknown database,
  lock timeout, inactive inbox...): nothing was recorded, the mail server keeps the
  message and tries again later;
* 65 (EX_DATAERR): the input is empty; 67 (EX_NOUSER): no inbox has this name;
  64 (EX_USAGE): bad arguments.

A mail server's own size limit applies: the message is kept whole in the ledger.
Postfix, for instance (``/etc/postfix/master.cf`` and an alias or transport)::

    helpdesk unix - n n - - pipe flags=Rq user=odoo argv=/usr/bin/python3 -m odoo
      --addons-path=ADDONS helpdesk_deliver -c /etc/odoo/odoo.conf -d DB --inbox support
"""

# A command-line tool: it prints its results.
# pylint: disable=print-used

import argparse
import logging
import sys

import psycopg2

import odoo
from odoo import SUPERUSER_ID, api
from odoo.cli import Command
from odoo.tools import config

_logger = logging.getLogger(__name__)

EX_OK = 0
EX_USAGE = 64
EX_DATAERR = 65
EX_NOUSER = 67
EX_TEMPFAIL = 75
# A row another transaction holds must not keep the mail server waiting forever.
LOCK_TIMEOUT = "60s"


class TemporaryFailure(Exception):
    """The database cannot take the message now; the mail server should retry."""


class HelpdeskDeliver(Command):
    """Process one email read on standard input for an inbox (push delivery)"""

    name = "helpdesk_deliver"

    def run(self, args):
        parser = argparse.ArgumentParser(
            prog="odoo helpdesk_deliver",
            description=self.__doc__,
            epilog="Other options are Odoo's own (-d, -c, --db_host, ...). Exit 75 "
            "(EX_TEMPFAIL) asks the mail server to retry.",
        )
        parser.add_argument("--inbox", required=True, help="id or name of the inbox")
        try:
            options, odoo_args = parser.parse_known_args(args)
        except SystemExit as exit_:
            sys.exit(EX_USAGE if exit_.code else EX_OK)
        raw = sys.stdin.buffer.read()
        config.parse_config(odoo_args, setup_logging=True)
        dbname = config["db_name"]
        if not dbname or "," in dbname:
            print("helpdesk_deliver: give one database with -d", file=sys.stderr)
            sys.exit(EX_USAGE)
        sys.exit(self.deliver(dbname, options.inbox, raw))

    def deliver(self, dbname, inbox_name, raw):
        """Deliver ``raw`` to the inbox; returns the exit status."""
        if not raw.strip():
            print("helpdesk_deliver: empty message on standard input", file=sys.stderr)
            return EX_DATAERR
        try:
            return self._deliver(dbname, inbox_name, raw)
        except (psycopg2.Error, TemporaryFailure) as error:
            reason = str(error).strip() or type(error).__name__
        except Exception as error:
            # Anything else (the registry failed to load, the addon is not installed):
            # the message is not recorded, so it must stay with the mail server.
            _logger.warning("helpdesk_deliver failed", exc_info=True)
            reason = f"{type(error).__name__}: {error}"
        print(f"helpdesk_deliver: temporary failure, try again later: {reason}", file=sys.stderr)
        return EX_TEMPFAIL

    def _deliver(self, dbname, inbox_name, raw):
        registry = odoo.modules.registry.Registry(dbname)
        with registry.cursor() as cr:
            cr.execute("SET lock_timeout = %s", [LOCK_TIMEOUT])
            env = api.Environment(cr, SUPERUSER_ID, {})
            if "mail.inbox" not in env:
                raise TemporaryFailure(f"helpdesk_mail_ticket is not installed in {dbname}")
            inbox = env["mail.inbox"]._find_for_command([inbox_name])
            if len(inbox) != 1:
                print(f"helpdesk_deliver: no inbox named {inbox_name!r}", file=sys.stderr)
                return EX_NOUSER
            if not inbox.active:
                raise TemporaryFailure(f"the inbox {inbox.name} is not active")
            message = inbox._process_raw(raw)
            print(f"{inbox.name}: {message.uid} {message.state}", flush=True)
        return EX_OK
