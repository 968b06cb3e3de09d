from . import test_google_gmail_inbox
