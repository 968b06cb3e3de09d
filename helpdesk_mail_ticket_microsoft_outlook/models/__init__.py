from . import mail_inbox
