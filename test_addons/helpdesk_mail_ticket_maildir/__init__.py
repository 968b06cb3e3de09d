from . import maildir_source
