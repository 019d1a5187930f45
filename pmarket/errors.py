"""The contracts' custom errors as Python exceptions.

Every refusal of a pmarket contract is a custom Solidity error with the offending values. The client
raises :class:`ContractError` -- or the subclass named after the error, e.g. :class:`PriceOutOfBounds`
-- with those values in :attr:`ContractError.values`, so callers can write::

    try:
        exchange.place(signed)
    except errors.PriceOutOfBounds as err:
        print(err.values["min"], err.values["max"])
"""

from __future__ import annotations

from typing import Any


class PMarketError(Exception):
    """Base class of every exception pmarket raises on purpose."""


class ContractError(PMarketError):
    """A pmarket contract refused a call with a custom error."""

    def __init__(self, name: str, values: dict[str, Any], tx: Any = None) -> None:
        self.name = name
        self.values = dict(values)
        self.tx = tx
        shown = ", ".join(f"{k}={_show(v)}" for k, v in self.values.items())
        super().__init__(f"{name}({shown})")


def _show(value: Any) -> str:
    if isinstance(value, (bytes, bytearray)):
        return "0x" + bytes(value).hex()
    return str(value)


def _subclass(name: str, doc: str) -> type[ContractError]:
    return type(name, (ContractError,), {"__doc__": doc, "__module__": __name__})


# Markets
NotMarketOwner = _subclass("NotMarketOwner", "The caller is neither the root's owner nor its oracle.")
UnknownMarket = _subclass("UnknownMarket", "The market (root, branch) was never defined.")
InvalidBounds = _subclass("InvalidBounds", "A definition with min > max.")
InvalidBranch = _subclass("InvalidBranch", "Branch 0, a gap in the branch chain, or past maxBranches.")
MarketLocked = _subclass("MarketLocked", "A sub-market definition after that branch (or one above) has orders.")
MarketSettled = _subclass("MarketSettled", "The root has settled; it takes no definitions or orders.")
MarketFrozen = _subclass("MarketFrozen", "The root is frozen by its owner or oracle: no orders, matches or pool trades.")
ReservedRootId = _subclass("ReservedRootId", "Root ids >= 2**96 belong to the address in their upper bits.")
InvalidOwner = _subclass("InvalidOwner", "Root ownership cannot go to the zero address.")
InvalidDefinitionSignature = _subclass("InvalidDefinitionSignature", "A relayed definition's signature is not the signer's.")
DefinitionExpired = _subclass("DefinitionExpired", "A relayed definition past its deadline.")
InvalidAccountNonce = _subclass("InvalidAccountNonce", "A relayed definition with a used or future nonce.")
# Orders
PriceOutOfBounds = _subclass("PriceOutOfBounds", "The price lies outside the market's effective bounds.")
ZeroQuantity = _subclass("ZeroQuantity", "An order with zero quantity.")
InvalidSignature = _subclass("InvalidSignature", "The signature is not the trader's.")
BrokenChain = _subclass("BrokenChain", "The order's previous hash is not the trader's chain head.")
OrderExists = _subclass("OrderExists", "The order is already in the book.")
OrderExpired = _subclass("OrderExpired", "The order's expiry has passed.")
UnsupportedOrder = _subclass("UnsupportedOrder", "This entry point does not take this trade type.")
OrderOutOfRange = _subclass("OrderOutOfRange", "Price or quantity beyond 2**95 - 1 wad in magnitude.")
OrderNotOpen = _subclass("OrderNotOpen", "Not an open Primary order of the book (unknown, filled or cancelled).")
# Collateral
InsufficientCollateral = _subclass("InsufficientCollateral", "balance + worst case over all outcomes would be < 0.")
TooManyOpenOrders = _subclass("TooManyOpenOrders", "The trader has the deployment's maximum of open orders in the root.")
TooManyRoots = _subclass("TooManyRoots", "The trader is active in the deployment's maximum of roots.")
PositionOverflow = _subclass("PositionOverflow", "A position beyond 2**95 - 1 wad in quantity or cost.")
InvalidConfiguration = _subclass("InvalidConfiguration", "maxOpenOrders outside 1..48 or maxRoots of 0.")
# Matching
OrdersDoNotCross = _subclass("OrdersDoNotCross", "The bid's limit is below the ask's.")
QuantityExceedsRemaining = _subclass("QuantityExceedsRemaining", "More than the order's open quantity.")
WrongSide = _subclass("WrongSide", "The bid does not buy or the ask does not sell.")
MarketMismatch = _subclass("MarketMismatch", "Bid and ask are in different markets.")
PriceOutsideLimits = _subclass("PriceOutsideLimits", "The match price is outside [ask limit, bid limit].")
DependentOrderMismatch = _subclass("DependentOrderMismatch", "A Partial, Offset or Reduction that does not fit its order.")
# Settlement
MarketNotSettled = _subclass("MarketNotSettled", "The root has not settled.")
AlreadyClaimed = _subclass("AlreadyClaimed", "The trader already claimed this root.")
NothingToClaim = _subclass("NothingToClaim", "The trader never had a position or an order in this root.")
SettlementPending = _subclass("SettlementPending", "The root's pot is short: its losers pay in first.")
# Vault
BalanceOverflow = _subclass("BalanceOverflow", "A deposit that would take a balance past 2**127 - 1.")
InsufficientBalance = _subclass("InsufficientBalance", "The account's balance is below what the call needs.")
ZeroAmount = _subclass("ZeroAmount", "A deposit or withdrawal that moves no token unit.")
UnsupportedDecimals = _subclass("UnsupportedDecimals", "The collateral token has more than 36 decimals.")
ZeroAddress = _subclass("ZeroAddress", "A zero address where an account is required.")

# Maker (pools) and the Exchange's pool accounts
SlippageExceeded = _subclass("SlippageExceeded", "A buy would cost more than max_cost, or a sale bring less than min_proceeds.")
DeadlinePassed = _subclass("DeadlinePassed", "The trade's deadline is before the block's timestamp.")
PoolClosed = _subclass("PoolClosed", "The pool is closed (or settled and claimed): no more trades.")
UnknownPool = _subclass("UnknownPool", "No pool has this id (a key with a wrong field).")
PoolExists = _subclass("PoolExists", "A pool with this key exists already: use another salt.")
NotPoolCreator = _subclass("NotPoolCreator", "Only the pool's creator may do this.")
PoolNotIdle = _subclass("PoolNotIdle", "The pool has outstanding shares (q_long != q_short): it cannot close.")
InvalidLiquidity = _subclass("InvalidLiquidity", "The liquidity b is zero or above 2**96 - 1.")
FeeTooHigh = _subclass("FeeTooHigh", "The fee is above 1,000 basis points (10%).")
PointMarket = _subclass("PointMarket", "The market is a single point: nothing to price.")
PoolMarketMismatch = _subclass("PoolMarketMismatch", "The order to fill is in another market than the pool.")
ZeroShares = _subclass("ZeroShares", "A trade of zero shares (or less than one wei of forward quantity).")
PoolOverflow = _subclass("PoolOverflow", "The pool's outstanding shares would pass 2**95 - 1 forward units.")
NothingLeft = _subclass("NothingLeft", "Nothing is left in the pool's account for its creator.")
NotMaker = _subclass("NotMaker", "Only the deployment's maker may call the pool hooks.")
MakerMismatch = _subclass("MakerMismatch", "The maker given to the Exchange's constructor names another Exchange.")
ExtensionMismatch = _subclass("ExtensionMismatch", "The extension given to the Exchange's constructor has other parameters.")
PoolAccountInUse = _subclass("PoolAccountInUse", "A new pool's account already has positions.")
FillBeyondLimit = _subclass("FillBeyondLimit", "Filling against the pool would trade beyond the order's limit.")
PoolNotTracked = _subclass("PoolNotTracked", "The pool keeps no price accumulator, range or cushion (not a tracked pool).")
NotRootManager = _subclass(
    "NotRootManager", "Only the owner of a managed root creates tracked pools there and closes through them."
)
InvalidPeriod = _subclass("InvalidPeriod", "A tracked pool's price-range period of zero seconds.")
NothingToClose = _subclass("NothingToClose", "The trader has no position in the pool's market to close.")
# Managed roots (artifact markets)
MarketFlagged = _subclass("MarketFlagged", "The artifact's round closed at the flagged terms: no more trading; claim.")
RootNotManageable = _subclass("RootNotManageable", "The root cannot become managed (not fresh, not [0, 1], or not the caller's).")
RootNotManaged = _subclass("RootNotManaged", "Only a managed (artifact) root can close at the flagged terms.")
# Artifacts
ArtifactExists = _subclass("ArtifactExists", "The artifact id is registered already (or zero).")
UnknownArtifact = _subclass("UnknownArtifact", "The artifact was never registered.")
InvalidTransition = _subclass("InvalidTransition", "The lifecycle does not go from this state to that one.")
NotTriggerable = _subclass("NotTriggerable", "Only a listed artifact moves by price, and only to flagged, validated or deprecated.")
WindowNotElapsed = _subclass("WindowNotElapsed", "The round is younger than a window: a trigger is possible from readyAt.")
ThresholdNotMet = _subclass(
    "ThresholdNotMet", "The price did not stay past the threshold through the window (price: the range's low or high)."
)
CloseNotYet = _subclass("CloseNotYet", "Positions close at the marginal price only after the close delay (90 days).")
NotClosable = _subclass("NotClosable", "The artifact is not listed, or its round has no pool to close against.")
RoundNotSettled = _subclass("RoundNotSettled", "The round does not exist or has not settled.")
ReserveLocked = _subclass("ReserveLocked", "Only the registrant takes the reserve, once the artifact is final.")
InvalidParameters = _subclass(
    "InvalidParameters", "Registry parameters out of range: a window outside 1 .. 2**32 - 1 s or thresholds out of order."
)
AccessControlUnauthorizedAccount = _subclass(
    "AccessControlUnauthorizedAccount", "The account lacks the role (e.g. the oracle role for a transition)."
)
# Bounties
BountyExists = _subclass("BountyExists", "A bounty with this id exists already (or the id is zero).")
UnknownBounty = _subclass("UnknownBounty", "No bounty has this id.")
AlreadyDistributed = _subclass("AlreadyDistributed", "The bounty was paid out already: each is distributed once.")
InvalidClaimants = _subclass("InvalidClaimants", "Claimants and weights differ in length, are empty, or are too many.")
InvalidClaimant = _subclass("InvalidClaimant", "A claimant is the zero address, the escrow itself, or has weight zero.")
NotOracle = _subclass("NotOracle", "Only an oracle of the artifact registry distributes bounties.")
InvalidExpiry = _subclass("InvalidExpiry", "A bounty's expiry is not after the block's timestamp.")
BountyExpired = _subclass("BountyExpired", "The bounty expired: no more funds or distribution; its funders reclaim.")
BountyNotExpired = _subclass("BountyNotExpired", "A reclaim before the bounty expired (at its expiry it is still open).")
NothingToReclaim = _subclass("NothingToReclaim", "The funder has no part of the bounty left (never funded it, or took it back).")
NothingOwed = _subclass("NothingOwed", "The escrow owes the account nothing to claim.")
InvalidRecipient = _subclass("InvalidRecipient", "A claim to the zero address or to the escrow itself.")

#: Error name -> exception class, for every error the client knows by name.
KNOWN: dict[str, type[ContractError]] = {
    cls.__name__: cls
    for cls in list(globals().values())
    if isinstance(cls, type) and issubclass(cls, ContractError) and cls is not ContractError
}


def contract_error(name: str, values: dict[str, Any], tx: Any = None) -> ContractError:
    """The exception for custom error ``name`` (a known subclass where there is one)."""
    return KNOWN.get(name, ContractError)(name, values, tx)


def fail(name: str, **values: Any) -> ContractError:
    """The exception the contracts would raise: ``raise fail("OrderNotOpen", orderHash=h)``."""
    return contract_error(name, values)
