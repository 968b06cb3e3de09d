from . import test_google_gmail_inbox
from . import test_i18n
