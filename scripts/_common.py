"""Helpers shared by pmarket's ape scripts (ape does not run files starting with an underscore)."""

from __future__ import annotations

import os
import sys
from contextlib import ExitStack, contextmanager
from typing import Any, Callable, Iterator, Optional

import click
from ape.cli import ConnectedProviderCommand


class Refusal(click.ClickException):
    """A refusal before anything is sent: one line on stderr (``Error: ...``), exit code 2 (as a
    usage error), no usage text, no traceback."""

    exit_code = 2


class CheckedCommand(ConnectedProviderCommand):
    """A :class:`ape.cli.ConnectedProviderCommand` that refuses in one line: a usage error, a failed
    ``preflight(ctx)`` (run after parsing, before connecting) and a failure to connect are each
    one :class:`Refusal` instead of a usage screen or a traceback."""

    def __init__(self, *args: Any, preflight: Optional[Callable[[click.Context], None]] = None, **kwargs: Any) -> None:
        self._preflight = preflight
        super().__init__(*args, **kwargs)

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        try:
            return super().parse_args(ctx, args)
        except click.UsageError as err:
            raise Refusal(f"{err.format_message()} (see `ape run {ctx.info_name} --help`)") from None

    def invoke(self, ctx: click.Context) -> Any:
        from ape.cli.commands import parse_network
        from ape.exceptions import ApeException

        if self._preflight is not None:
            self._preflight(ctx)
        provider = ctx.params.get("network")
        choice = getattr(getattr(provider, "network", None), "choice", provider)
        with ExitStack() as stack:
            try:
                network_ctx = parse_network(ctx)
                connected = stack.enter_context(network_ctx) if network_ctx is not None else None
            except (ApeException, OSError) as err:  # ConfigError, ProviderError, a refused connection
                reason = " ".join(str(err).split()) or type(err).__name__
                raise Refusal(f"cannot connect to --network {choice}: {reason}") from None
            return self._invoke(ctx, provider=connected)


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
    raise Refusal("on a live network pass --account ALIAS (see `ape accounts list`)")


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
