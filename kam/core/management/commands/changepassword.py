"""``kam changepassword USER``: Django's command, which also ends the user's API tokens.

The password page and the API change passwords through
:func:`kam.core.services.users.set_password`; this command keeps Django's prompts and
checks and then does what that service does beyond them: whoever knew the old password
may hold a token, so every token of the user is revoked.
"""

from __future__ import annotations

import getpass
from typing import Any

from django.contrib.auth.management.commands import changepassword

from kam.core.models import Interface, User
from kam.core.services import tokens


class Command(changepassword.Command):
    def handle(self, *args: Any, **options: Any) -> str | None:
        message = super().handle(*args, **options)
        username = options["username"] or getpass.getuser()
        user = User._default_manager.db_manager(options["database"]).get(username=username)
        revoked = tokens.revoke_all_tokens(
            user, by=None, via=Interface.CLI, reason=tokens.Revocation.PASSWORD_CHANGED
        )
        if revoked:
            self.stdout.write(f"{revoked} API token(s) revoked.")
        return message
