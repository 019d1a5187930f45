"""Helpers shared by pmarket's ape scripts (ape does not run files starting with an underscore)."""

from __future__ import annotations

import os
import sys
from contextlib import contextmanager
from typing import Any, Iterator, Optional

import click


def pick_account(alias: Optional[str]) -> Any:
    """The sending account: ``--account ALIAS`` if given, else the first test account on a
    local/development network. On a live network an alias is required."""
    from ape import accounts, networks

    if alias:
        account = accounts.load(alias)
        # Unattended runs: with APE_ACCOUNTS_<alias>_PASSPHRASE set, sign without prompting.
        passphrase = os.environ.get(f"APE_ACCOUNTS_{alias}_PASSPHRASE")
        if passphrase is not None and hasattr(account, "set_autosign"):
            account.set_autosign(True, passphrase=passphrase)
        return account
    if networks.provider.network.is_local:
        return accounts.test_accounts[0]
    raise click.UsageError("on a live network pass --account ALIAS (see `ape accounts list`)")


@contextmanager
def quiet_stdout() -> Iterator[None]:
    """Silence file descriptor 1 for a moment: ape-foundry prints the call trace of every revert
    to the stdout it captured at import, which no ``redirect_stdout`` reaches."""
    sys.stdout.flush()
    saved = os.dup(1)
    with open(os.devnull, "w") as devnull:
        os.dup2(devnull.fileno(), 1)
        try:
            yield
        finally:
            sys.stdout.flush()
            os.dup2(saved, 1)
            os.close(saved)
