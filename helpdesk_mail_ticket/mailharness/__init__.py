"""Real mail servers for the tests, one module per component; imports no Odoo.

* :mod:`.dovecot`: a private Dovecot (IMAP, IMAPS, POP3, POP3S), optionally taking OAuth2
  logins;
* :mod:`.oauth2`: an OAuth2 authorization server (token endpoint, introspection);
* :mod:`.smtp`: an SMTP sink keeping what it receives;
* :mod:`.proxy`: a TCP proxy failing chosen downloads;
* :mod:`.certificates`, :mod:`.common`: what they share.

Why here, beside ``mailparse`` and ``mailsource``: the same folder is importable in both
test contexts without loading anything by file path. The pure tests have it on their path
(``pythonpath = helpdesk_mail_ticket`` in ``pyproject.toml``: ``import mailharness``); the Odoo
tests import it relatively (``from ..mailharness import dovecot``), wherever the addon is
installed. Odoo never imports it by itself (the addon's ``__init__`` does not name it).
This package is deliberately empty: importing one component does not start or load another.
"""
