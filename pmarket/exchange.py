"""The client over one pmarket deployment.

:class:`Exchange` composes the per-concern calls (:class:`~pmarket.markets.MarketsCalls`,
:class:`~pmarket.orders.OrdersCalls`, :class:`~pmarket.vault.VaultCalls`) the way the contract
composes its mixins. Every refusal surfaces as a :class:`pmarket.errors.ContractError` subclass named
after the contract's custom error, with its values.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional

from . import errors
from .markets import MarketsCalls
from .orders import OrdersCalls
from .typed import Domain
from .vault import VaultCalls

DEFAULT_MAX_BRANCHES = 32


def translate(err: Exception) -> errors.PMarketError:
    """An ape contract-logic error as a pmarket exception (custom errors by name and values)."""
    from ape.exceptions import CustomError

    if isinstance(err, CustomError):
        return errors.contract_error(err.name, dict(err.inputs), getattr(err, "txn", None))
    message = getattr(err, "message", None) or str(err)
    return errors.ContractError("Revert", {"message": message}, getattr(err, "txn", None))


@dataclass
class Exchange(MarketsCalls, OrdersCalls, VaultCalls):
    """A deployed pmarket Exchange and its collateral token."""

    contract: Any
    token: Any

    # ---- construction ------------------------------------------------------------------------
    @classmethod
    def deploy(
        cls,
        deployer: Any,
        *,
        collateral: Any = None,
        max_branches: int = DEFAULT_MAX_BRANCHES,
        project: Any = None,
    ) -> "Exchange":
        """Deploy an Exchange; without ``collateral``, a fresh 6-decimal TestToken serves as one."""
        project = project or _ape_project()
        if collateral is None:
            collateral = project.TestToken.deploy("pmarket test dollar", "pUSD", 6, sender=deployer)
        elif isinstance(collateral, str):
            collateral = project.TestToken.at(collateral)
        contract = project.Exchange.deploy(collateral.address, max_branches, sender=deployer)
        return cls(contract, collateral)

    @classmethod
    def at(cls, address: str, *, project: Any = None) -> "Exchange":
        """Attach to a deployed Exchange (its collateral is read from the contract)."""
        project = project or _ape_project()
        contract = project.Exchange.at(address)
        return cls(contract, project.TestToken.at(contract.collateral()))

    # ---- facts -------------------------------------------------------------------------------
    @property
    def address(self) -> str:
        return str(self.contract.address)

    @property
    def domain(self) -> Domain:
        """The EIP-712 domain orders and definitions for this deployment are signed under."""
        from ape import chain

        return Domain(chain_id=chain.chain_id, verifying_contract=self.address)

    @property
    def decimals(self) -> int:
        return int(self.token.decimals())

    # ---- plumbing ----------------------------------------------------------------------------
    def _transact(self, method: str, *args: Any, sender: Any) -> Any:
        from ape.exceptions import ContractLogicError

        try:
            return getattr(self.contract, method)(*args, sender=sender)
        except ContractLogicError as err:
            raise translate(err) from err

    def _call(self, method: str, *args: Any) -> Any:
        from ape.exceptions import ContractLogicError

        try:
            return getattr(self.contract, method)(*args)
        except ContractLogicError as err:
            raise translate(err) from err

    @staticmethod
    def _account_of(address: str) -> Any:
        from ape import accounts

        try:
            return accounts[address]
        except Exception as err:  # ape raises several types for an unknown account
            raise errors.PMarketError(
                f"no ape account for {address} to send from; pass relayer=<account>"
            ) from err


def _ape_project() -> Any:
    from ape import project

    return project


def deployed(record_path: Optional[str] = None, *, project: Any = None) -> Exchange:
    """Attach to the deployment recorded for the connected chain (see :mod:`pmarket.deployment`)."""
    from ape import chain

    from .deployment import load_record

    record = load_record(chain.chain_id, path=record_path)
    return Exchange.at(record.exchange, project=project)
