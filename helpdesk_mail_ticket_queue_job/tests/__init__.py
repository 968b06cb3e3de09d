from . import test_i18n
from . import test_queue_job_inbox
from . import test_attack_keptlost_job
from . import test_attack_replyleft_queue
from . import test_attack_pop3_unread_job
from . import test_handon_queue
from . import test_attack_handon_lang
from . import test_attack_handon_archived
