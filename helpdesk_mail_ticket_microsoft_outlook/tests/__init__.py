from . import test_microsoft_outlook_inbox
from . import test_i18n
