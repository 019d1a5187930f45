"""Gas of the collateral check, matching, claims (for ``make bench``; see scripts/bench.py)."""

from __future__ import annotations

from typing import Any, Callable

from pmarket.matching import Leg, MatchRequest

Measure = Callable[[Any], dict[str, int]]


def _fund(ex: Any, who: Any, amount: str = "1000000") -> None:
    ex.token.mint(who.address, ex.token_units(amount), sender=who)
    ex.token.approve(ex.address, 2**256 - 1, sender=who)
    ex.deposit(amount, approve=False, sender=who)


def _trade(ex: Any, bid_who: Any, ask_who: Any, root: int, branch: int, price: str, qty: str, relayer: Any) -> Any:
    bid = ex.sign_limit(bid_who, root, branch, price, qty)
    ask = ex.sign_limit(ask_who, root, branch, price, "-" + qty)
    ex.place(bid)
    ex.place(ask)
    return ex.match(MatchRequest(Leg(bid.order), Leg(ask.order), bid.order.quantity), sender=relayer)


def _view_gas(ex: Any, method: str, *args: Any) -> dict[str, int]:
    """Gas of a view as its own transaction would pay it (eth_estimateGas: cold storage)."""
    from ape import chain

    data = getattr(ex.contract, method).encode_input(*args)
    total = int(chain.provider.web3.eth.estimate_gas({"to": ex.address, "data": data.hex() if isinstance(data, bytes) else data}))
    raw = bytes.fromhex(data[2:]) if isinstance(data, str) else bytes(data)
    zeros = raw.count(0)
    return {"total": total, "execution": total - 21_000 - 4 * zeros - 16 * (len(raw) - zeros), "calldata_bytes": len(raw)}


def collateral_gas(ex: Any, owner: Any, traders: list[Any], relayer: Any, measure: Measure) -> dict[str, dict[str, int]]:
    """Each entry is its own transaction (cold storage), as in the rest of the bench. Three parts,
    run in this order (``make gas-check`` runs the first and the last alone: the claims do not
    depend on the history part)."""
    gas = matching_gas(ex, owner, traders, relayer, measure)
    gas.update(history_gas(ex, owner, traders, relayer, measure))
    gas.update(claim_gas(ex, owner, traders, measure))
    return gas


def matching_gas(ex: Any, owner: Any, traders: list[Any], relayer: Any, measure: Measure) -> dict[str, dict[str, int]]:
    """Placements, matches, a cancel, a reduction and a withdrawal in root 7 (defines it)."""
    gas: dict[str, dict[str, int]] = {}
    a, b, c, d = traders[:4]
    for who in (a, b, c, d):
        _fund(ex, who)
    ex.define(7, 1, "0", "100", sender=owner)
    ex.define(7, 2, "20", "80", sender=owner)

    gas["check+place: first order in a root (new slot, root listed)"] = measure(ex.place(ex.sign_limit(a, 7, 1, "50", "10")))
    gas["check+place: second order in the root (new slot)"] = measure(ex.place(ex.sign_limit(a, 7, 1, "49", "10")))
    first_b = ex.sign_limit(b, 7, 1, "50", "-10")
    ex.place(first_b)
    bid = ex.sign_limit(c, 7, 1, "51", "5")
    ask = ex.sign_limit(d, 7, 1, "51", "-5")
    ex.place(bid)
    ex.place(ask)
    request = MatchRequest(Leg(bid.order), Leg(ask.order), bid.order.quantity)
    gas["match: two resting orders, both open new positions (all legs)"] = measure(ex.match(request, sender=relayer))
    bid3, ask3 = ex.sign_limit(c, 7, 2, "50", "5"), ex.sign_limit(d, 7, 2, "50", "-5")
    ex.place(bid3)
    ex.place(ask3)
    general = MatchRequest(Leg(bid3.order), Leg(ask3.order), bid3.order.quantity, bid3.order.price)
    gas["match (general entry, explicit price): both open new positions"] = measure(ex.match(general, sender=relayer))
    bid2 = ex.sign_limit(c, 7, 1, "52", "5")
    ask2 = ex.sign_limit(d, 7, 1, "52", "-5")
    ex.place(bid2)
    ex.place(ask2)
    request = MatchRequest(Leg(bid2.order), Leg(ask2.order), 2 * 10**18)
    gas["match: partial fill, both add to existing positions"] = measure(ex.match(request, sender=relayer))
    gas["check+place: next order, trader has a position (new slot)"] = measure(
        ex.place(ex.sign_limit(c, 7, 1, "40", "1"))
    )
    gas["cancel: owner's signed offset (orders module)"] = measure(ex.cancel(c, bid2.order))
    gas["reduce: owner's signed reduction (orders module)"] = measure(ex.reduce(d, ask2.order, "1"))
    gas["withdraw: with the check (fast path)"] = measure(ex.withdraw("10", sender=c))
    # The first order above is also the trader's first ever (a fresh chain head); this one is a's
    # first in a second root: the chain head and the account are updated, not created.
    ex.define(8, 1, "0", "100", sender=owner)
    gas["check+place: first order in a second root (trader has orders elsewhere)"] = measure(
        ex.place(ex.sign_limit(a, 8, 1, "50", "10"))
    )
    return gas


def history_gas(ex: Any, owner: Any, traders: list[Any], relayer: Any, measure: Measure) -> dict[str, dict[str, int]]:
    """The check against matched history and against branches (after ``matching_gas``)."""
    gas: dict[str, dict[str, int]] = {}
    a, b = traders[:2]

    # The check's gas against matched history: same trader pair, a fresh root per history length.
    for n, root in ((1, 10), (10, 11), (100, 12)):
        ex.define(root, 1, "0", "100", sender=owner)
        for _ in range(n):
            _trade(ex, a, b, root, 1, "50", "1", relayer)
        gas[f"check+place: root with {n} matched trades"] = measure(ex.place(ex.sign_limit(a, root, 1, "40", "1")))
        gas[f"exact check (rootWorstCase, estimated): {n} matched trades"] = _view_gas(ex, "rootWorstCase", a.address, root)

    # The check's gas against branches: the trader holds a position in each of k nested branches.
    for k, root in ((1, 20), (4, 21), (16, 22)):
        ex.define(root, 1, "0", "100", sender=owner)
        for branch in range(2, k + 1):
            ex.define(root, branch, str(branch), str(100 - branch), sender=owner)
        for branch in range(1, k + 1):
            _trade(ex, a, b, root, branch, "50", "1", relayer)
        gas[f"check+place: positions in {k} branches"] = measure(ex.place(ex.sign_limit(a, root, 1, "40", "1")))
        gas[f"exact check (rootWorstCase, estimated): positions in {k} branches"] = _view_gas(ex, "rootWorstCase", a.address, root)
    return gas


def claim_gas(ex: Any, owner: Any, traders: list[Any], measure: Measure) -> dict[str, dict[str, int]]:
    """Settle root 7 and claim it (after ``matching_gas``)."""
    gas: dict[str, dict[str, int]] = {}
    c, d = traders[2:4]

    # Settlement and claims (loser first: the winner is paid out of the pot).
    ex.settle(7, "30", sender=owner)
    gas["claim: loser (pays into the pot)"] = measure(ex.claim(c, 7))
    gas["claim: winner (paid from the pot)"] = measure(ex.claim(d, 7))
    return gas
