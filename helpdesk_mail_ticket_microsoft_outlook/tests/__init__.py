from . import test_microsoft_outlook_inbox
