from . import mail_inbox
from . import mail_inbox_message
