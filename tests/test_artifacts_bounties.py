"""Bounties on Anvil through the Python client (``pmarket.bounties``): the documented rounding rule
with its remainders worked by hand, every refusal of post, fund, distribute, reclaim and claim as a
:mod:`pmarket.errors` class, the expiry to the second, funders reclaiming their own parts, claimants
refused by a blacklisting token owed their shares and pulling them elsewhere, and the escrow holding
exactly the undistributed bounties plus what it owes.

The rule (``Bounties.sol``): claimant ``i`` gets ``floor(A * W_i / W) - floor(A * W_(i-1) / W)``,
``W_i`` the running sum of the weights and ``W`` their total. The shares telescope to ``A``; the
units plain rounding would leave over go where the running total crosses a whole unit."""

from __future__ import annotations

import pytest
from eth_utils import to_checksum_address

from pmarket import errors
from pmarket.addresses import address_of
from pmarket.artifacts import DAY, artifact_id
from pmarket.bounties import DEFAULT_EXPIRY, Bounties
from pmarket.lifecycle import bounty_shares
from pmarket.transport import transact

from .artifact_fixtures import *  # noqa: F401,F403 (fixtures)
from .artifact_fixtures import register
from .test_maker import refused

TOKEN = 10**6  # one whole token in units (6 decimals)


@pytest.fixture(scope="module")
def paper(registry, owner, alice, bob, carol, dave, erin, frank, blk_escrow):
    """Artifact "paper" registered; owner, alice, bob and carol hold 1,000 tokens each in their
    wallets (and the escrow of a blacklisting token is deployed beside the registry)."""
    register(registry, owner, "paper", b=1)
    for who in (owner, alice, bob, carol):
        registry.exchange.token.mint(who.address, 1_000 * TOKEN, sender=who)
    return registry


def _claimants(n: int) -> list[str]:
    """``n`` fresh addresses holding no tokens: 0x...a001, 0x...a002, ..."""
    return [to_checksum_address(f"0x{0xA000 + i:040x}") for i in range(1, n + 1)]


def _wallets(token, who) -> list[int]:
    return [int(token.balanceOf(address_of(w))) for w in who]


def test_one_hundred_units_split_one_one_one(paper, escrow, owner, oracle):
    """A = 100 units, weights 1:1:1 (W = 3): running totals floor(100/3) = 33, floor(200/3) = 66,
    floor(300/3) = 100, so 33, 66 - 33 = 33, 100 - 66 = 34: the last claimant takes the unit."""
    token = paper.exchange.token
    escrow.post("units", "paper", "0.0001", sender=owner)  # 100 units of a 6-decimal token
    assert escrow.info("units").amount == 100
    who = _claimants(3)
    paid = escrow.distribute("units", dict.fromkeys(who, 1), sender=oracle)
    assert [paid[w] for w in who] == [33, 33, 34] == bounty_shares(100, [1, 1, 1])
    assert _wallets(token, who) == [33, 33, 34]
    assert escrow.info("units").distributed and escrow.escrowed() == 0


def test_one_hundred_tokens_split_one_one_one(paper, escrow, owner, oracle):
    """A = 100,000,000 units: 33,333,333 / 33,333,333 / 33,333,334 (100e6 / 3 = 33,333,333.33)."""
    escrow.post("tokens", "paper", "100", sender=owner)
    who = _claimants(3)
    paid = escrow.distribute("tokens", dict.fromkeys(who, 1), sender=oracle)
    assert [paid[w] for w in who] == [33_333_333, 33_333_333, 33_333_334]
    assert sum(paid.values()) == 100 * TOKEN


def test_weights_one_to_ten(paper, escrow, owner, oracle):
    """A = 100 tokens, weights 1..10 (W = 55). Running totals W_i = 1, 3, 6, 10, 15, 21, 28, 36, 45, 55;
    floor(1e8 W_i / 55) = 1818181, 5454545, 10909090, 18181818, 27272727, 38181818, 50909090,
    65454545, 81818181, 100000000; shares are their differences. Each is within one unit of
    1e8 w / 55 = 1818181.8 w: 1818181 (w=1, down), 3636364 (w=2, 3636363.6 up), ..."""
    token = paper.exchange.token
    escrow.post("ten", "paper", "100", sender=owner)
    who = _claimants(10)
    paid = escrow.distribute("ten", dict(zip(who, range(1, 11))), sender=oracle)
    expected = [1818181, 3636364, 5454545, 7272728, 9090909, 10909091, 12727272, 14545455, 16363636, 18181819]
    assert [paid[w] for w in who] == expected == _wallets(token, who)
    assert sum(expected) == 100 * TOKEN
    assert all(abs(s * 55 - 10**8 * w) < 55 for s, w in zip(expected, range(1, 11)))  # within one unit


def test_order_of_claimants_decides_where_the_units_fall(paper, escrow, owner, oracle):
    """The same weights reversed (10..1): running totals 10, 19, 27, ...: the first share is
    floor(1e8 * 10 / 55) = 18181818 (it was 18181819 last) and the last 1818182 (it was 1818181)."""
    escrow.post("rev", "paper", "100", sender=owner)
    who = _claimants(10)
    paid = escrow.distribute("rev", dict(zip(who, range(10, 0, -1))), sender=oracle)
    assert [paid[w] for w in who] == [18181818, 16363636, 14545455, 12727272, 10909091, 9090909, 7272728, 5454545, 3636364, 1818182]


def test_huge_weights_do_not_overflow(paper, escrow, owner, oracle):
    """Weights 2^254 and 2^254: A * W_1 = 1e8 * 2^254 is past 2^256, the contract's mulDiv keeps it
    exact: 50 tokens each."""
    escrow.post("huge", "paper", "100", sender=owner)
    who = _claimants(2)
    paid = escrow.distribute("huge", dict.fromkeys(who, 2**254), sender=oracle)
    assert [paid[w] for w in who] == [50 * TOKEN, 50 * TOKEN]


def test_post_and_fund_errors(paper, escrow, owner, alice):
    escrow.post("b1", "paper", "10", sender=owner)
    assert refused(errors.BountyExists, lambda: escrow.post("b1", "paper", "5", sender=alice)) == {"id": artifact_id("b1")}
    assert refused(errors.BountyExists, lambda: escrow.post(bytes(32), "paper", "5", sender=alice)) == {"id": bytes(32)}
    assert refused(errors.UnknownArtifact, lambda: escrow.post("b2", "unregistered", "5", sender=alice)) == {
        "artifact": artifact_id("unregistered")}
    assert refused(errors.ZeroAmount, lambda: escrow.post("b2", "paper", "0", sender=alice)) == {}
    assert refused(errors.UnknownBounty, lambda: escrow.fund("b3", "5", sender=alice)) == {"id": artifact_id("b3")}
    assert refused(errors.ZeroAmount, lambda: escrow.fund("b1", "0", sender=alice)) == {}
    assert refused(errors.UnknownBounty, lambda: escrow.info("b3")) == {"id": artifact_id("b3")}
    # nothing of the refused calls was taken
    assert escrow.escrowed() == 10 * TOKEN == int(paper.exchange.token.balanceOf(escrow.address))


def test_distribute_errors(paper, escrow, owner, oracle, alice, bob):
    escrow.post("d1", "paper", "10", sender=owner)
    bid = artifact_id("d1")
    assert refused(errors.NotOracle, lambda: escrow.distribute("d1", {bob: 1}, sender=alice)) == {"caller": alice.address}
    assert refused(errors.InvalidClaimants, lambda: escrow.distribute("d1", {}, sender=oracle)) == {
        "claimants": 0, "weights": 0, "max": 256}
    # lengths that differ cannot come from the client's mapping: straight to the contract
    err = refused(errors.InvalidClaimants, lambda: transact(escrow.contract, "distribute", bid, [alice.address, bob.address], [1], sender=oracle))
    assert err == {"claimants": 2, "weights": 1, "max": 256}
    too_many = dict.fromkeys(_claimants(257), 1)
    assert refused(errors.InvalidClaimants, lambda: escrow.distribute("d1", too_many, sender=oracle)) == {
        "claimants": 257, "weights": 257, "max": 256}
    assert refused(errors.InvalidClaimant, lambda: escrow.distribute("d1", {alice: 1, bob: 0}, sender=oracle)) == {
        "index": 1, "claimant": bob.address, "weight": 0}
    zero = "0x" + "00" * 20
    assert refused(errors.InvalidClaimant, lambda: escrow.distribute("d1", {zero: 1}, sender=oracle)) == {
        "index": 0, "claimant": zero, "weight": 1}
    assert refused(errors.InvalidClaimant, lambda: escrow.distribute("d1", {alice: 1, escrow.address: 1}, sender=oracle)) == {
        "index": 1, "claimant": escrow.address, "weight": 1}  # its tokens would sit in no bounty
    assert refused(errors.UnknownBounty, lambda: escrow.distribute("d9", {alice: 1}, sender=oracle)) == {"id": artifact_id("d9")}
    assert not escrow.info("d1").distributed and escrow.escrowed() == 10 * TOKEN
    # 256 claimants is the most: accepted, 10 tokens / 256 = 39062.5 units -> 39062 or 39063 each
    paid = escrow.distribute("d1", dict.fromkeys(_claimants(256), 1), sender=oracle)
    assert sorted(set(paid.values())) == [39062, 39063] and sum(paid.values()) == 10 * TOKEN
    assert refused(errors.AlreadyDistributed, lambda: escrow.distribute("d1", {alice: 1}, sender=oracle)) == {"id": bid}
    assert refused(errors.AlreadyDistributed, lambda: escrow.fund("d1", "1", sender=alice)) == {"id": bid}


def test_a_revoked_oracle_no_longer_distributes(paper, escrow, owner, oracle, alice):
    escrow.post("r1", "paper", "1", sender=owner)
    paper.revoke_oracle(oracle, sender=owner)
    assert refused(errors.NotOracle, lambda: escrow.distribute("r1", {alice: 1}, sender=oracle)) == {"caller": oracle.address}
    paper.grant_oracle(alice, sender=owner)
    assert escrow.distribute("r1", {alice: 1}, sender=alice) == {alice.address: TOKEN}


def test_escrow_holds_exactly_the_undistributed_bounties(paper, escrow, owner, oracle, alice, bob, carol):
    """Three bounties posted and funded by several funders, two distributed, one left; a plain
    transfer to the escrow stays outside every bounty. At each step: the escrow's tokens = the
    sum of undistributed bounties (+ the stray transfer), and every funder's and claimant's wallet
    moved by exactly their part."""
    token = paper.exchange.token
    funders = (owner, alice, bob, carol)
    start = _wallets(token, funders)
    escrow.post("e1", "paper", "30", sender=owner)
    escrow.fund("e1", "12.5", sender=alice)
    escrow.post("e2", "paper", "7.000001", sender=bob)
    escrow.post("e3", "paper", "1", sender=carol)
    escrow.fund("e2", "0.000002", sender=carol)
    assert [escrow.info(b).amount for b in ("e1", "e2", "e3")] == [42_500_000, 7_000_003, 1_000_000]
    assert escrow.info("e1").funder == owner.address  # a second funder adds, the first stays named
    assert escrow.escrowed() == 50_500_003 == int(token.balanceOf(escrow.address))
    spent = [s - e for s, e in zip(start, _wallets(token, funders))]
    assert spent == [30_000_000, 12_500_000, 7_000_001, 1_000_002]
    token.transfer(escrow.address, 5, sender=carol)  # a stray transfer: no bounty's
    assert int(token.balanceOf(escrow.address)) == escrow.escrowed() + 5
    # e1: 42.5 tokens at 2:1 -> floor(42.5e6 * 2 / 3) = 28333333 and 42500000 - 28333333 = 14166667
    who = _claimants(2)
    assert escrow.distribute("e1", dict(zip(who, (2, 1))), sender=oracle) == dict(zip(who, (28_333_333, 14_166_667)))
    assert escrow.escrowed() == 8_000_003
    # e2: 7000003 units over weights 3, 3, 1 (W = 7): 3000001, 6000002 - 3000001, 7000003 - 6000002
    who2 = _claimants(5)[2:]
    paid = escrow.distribute("e2", dict(zip(who2, (3, 3, 1))), sender=oracle)
    assert [paid[w] for w in who2] == [3_000_001, 3_000_001, 1_000_001]
    assert escrow.escrowed() == 1_000_000 and int(token.balanceOf(escrow.address)) == 1_000_005
    assert _wallets(token, who + who2) == [28_333_333, 14_166_667, 3_000_001, 3_000_001, 1_000_001]
    # the registry's state of the artifact plays no part: a final artifact's bounty still pays
    paper.transition("paper", "deprecated", sender=oracle)
    assert escrow.distribute("e3", {alice: 1}, sender=oracle) == {alice.address: TOKEN}
    assert escrow.escrowed() == 0 and int(token.balanceOf(escrow.address)) == 5


# ---- expiry and reclaims ----------------------------------------------------------------------
def test_post_takes_an_expiry_a_year_by_default(paper, escrow, owner, chain):
    receipt = escrow.post("year", "paper", "1", sender=owner)
    mined = chain.blocks[receipt.block_number].timestamp
    # the client names the pending block's time + 365 days; the post is mined in that block
    assert 0 <= escrow.info("year").expires_at - DEFAULT_EXPIRY - mined <= 2
    escrow.post("set", "paper", "1", expires_at=mined + 7 * DAY, sender=owner)
    assert escrow.info("set").expires_at == mined + 7 * DAY
    escrow.post("span", "paper", "1", expires_in=DAY, sender=owner)
    assert 0 <= escrow.info("span").expires_at - DAY - mined <= 4
    with pytest.raises(ValueError):
        escrow.post("both", "paper", "1", expires_at=mined + DAY, expires_in=DAY, sender=owner)


def test_an_expiry_not_in_the_future_is_refused(paper, escrow, owner, chain):
    err = refused(errors.InvalidExpiry, lambda: escrow.post("past", "paper", "1", expires_at=1, sender=owner))
    assert err["expiresAt"] == 1 and err["timestamp"] > 1
    chain.pending_timestamp = t = chain.pending_timestamp + 100
    # the approval is mined at t, the post would be at t or later: an expiry of t is never after it
    err = refused(errors.InvalidExpiry, lambda: escrow.post("now", "paper", "1", expires_at=t, sender=owner))
    assert err["expiresAt"] == t and err["timestamp"] >= t
    assert escrow.escrowed() == 0


def test_expiry_to_the_second_and_each_funder_reclaims_its_part(paper, escrow, owner, oracle, alice, bob, chain):
    """Open while the block's time is at most the expiry: at exactly the expiry a reclaim is refused;
    one second later funds and distributions are refused and each funder (the poster twice, alice
    once) takes back exactly its own sum, once; a distributed bounty is never reclaimed. (A
    distribution at exactly the expiry: the forge suite and the scenarios, whose clocks stand still.)"""
    token = paper.exchange.token
    t = chain.pending_timestamp + 10
    expiry = t + DAY
    escrow.post("x1", "paper", "10", expires_at=expiry, sender=owner)
    escrow.fund("x1", "2.5", sender=alice)
    escrow.fund("x1", "0.5", sender=owner)
    escrow.post("x2", "paper", "1", expires_at=expiry, sender=owner)
    assert escrow.contribution("x1", owner) == 10_500_000 and escrow.contribution("x1", alice) == 2_500_000
    who = _claimants(1)
    assert escrow.distribute("x2", dict.fromkeys(who, 1), sender=oracle) == {who[0]: TOKEN}
    before = _wallets(token, (owner, alice))
    x1 = artifact_id("x1")
    early = refused(errors.BountyNotExpired, lambda: escrow.reclaim("x1", sender=owner))
    assert early["id"] == x1 and early["expiresAt"] == expiry and early["timestamp"] < expiry
    chain.pending_timestamp = expiry
    assert refused(errors.BountyNotExpired, lambda: escrow.reclaim("x1", sender=owner)) == {
        "id": x1, "expiresAt": expiry, "timestamp": expiry}
    chain.pending_timestamp = expiry + 1
    expired = refused(errors.BountyExpired, lambda: escrow.distribute("x1", dict.fromkeys(who, 1), sender=oracle))
    assert expired["id"] == x1 and expired["expiresAt"] == expiry and expired["timestamp"] > expiry
    expired = refused(errors.BountyExpired, lambda: transact(escrow.contract, "fund", x1, 1, sender=bob))
    assert expired["id"] == x1 and expired["expiresAt"] == expiry and expired["timestamp"] > expiry
    assert escrow.reclaim("x1", sender=alice) == 2_500_000
    assert escrow.info("x1").amount == 10_500_000 == escrow.escrowed()
    assert refused(errors.NothingToReclaim, lambda: escrow.reclaim("x1", sender=alice)) == {"id": x1, "funder": alice.address}
    assert refused(errors.NothingToReclaim, lambda: escrow.reclaim("x1", sender=bob)) == {"id": x1, "funder": bob.address}
    assert escrow.reclaim("x1", sender=owner) == 10_500_000
    assert refused(errors.NothingToReclaim, lambda: escrow.reclaim("x1", sender=owner)) == {"id": x1, "funder": owner.address}
    assert refused(errors.AlreadyDistributed, lambda: escrow.reclaim("x2", sender=owner)) == {"id": artifact_id("x2")}
    assert refused(errors.UnknownBounty, lambda: escrow.reclaim("x9", sender=owner)) == {"id": artifact_id("x9")}
    assert [a - b for a, b in zip(_wallets(token, (owner, alice)), before)] == [10_500_000, 2_500_000]
    info = escrow.info("x1")
    assert info.amount == 0 and not info.distributed and info.expires_at == expiry
    assert escrow.escrowed() == 0 == escrow.owed_total() == int(token.balanceOf(escrow.address))


# ---- refused transfers: owed, then claimed ----------------------------------------------------
@pytest.fixture(scope="module")
def blk(project, owner):
    """A token that refuses chosen accounts (``contracts/test/BlacklistToken.sol``)."""
    return project.BlacklistToken.deploy(6, sender=owner)


@pytest.fixture(scope="module")
def blk_escrow(registry, owner, blk) -> Bounties:
    """An escrow of the blacklisting token beside the same registry; owner holds 1,000 of it."""
    escrow = Bounties.deploy(registry, token=blk, sender=owner)
    assert escrow.token.address == blk.address
    blk.mint(owner.address, 1_000 * TOKEN, sender=owner)
    return escrow


REVERT, RETURN_FALSE = 1, 2


def _books(escrow: Bounties) -> None:
    assert int(escrow.token.balanceOf(escrow.address)) == escrow.escrowed() + escrow.owed_total()


def test_a_refused_claimant_is_owed_and_pulls_elsewhere(paper, blk_escrow, blk, owner, oracle, alice, bob, dave, erin):
    """100 tokens over alice, dave, bob at 1:1:1 with dave blacklisted (reverting) and bob refused
    by a false return: alice gets her 33.333333 sent; dave's 33.333333 and bob's 33.333334 are owed
    (the shares of the rounding rule, unchanged). dave cannot take his to himself, takes it to
    erin; bob to himself once the token accepts him again."""
    escrow = blk_escrow
    escrow.post("bl", "paper", "100", sender=owner)
    blk.setRefusal(dave.address, REVERT, sender=owner)
    blk.setRefusal(bob.address, RETURN_FALSE, sender=owner)
    paid = escrow.distribute("bl", {alice: 1, dave: 1, bob: 1}, sender=oracle)
    assert paid == {alice.address: 33_333_333, dave.address: 33_333_333, bob.address: 33_333_334}
    assert _wallets(blk, (alice, dave, bob)) == [33_333_333, 0, 0]
    assert (escrow.owed(dave), escrow.owed(bob), escrow.owed(alice)) == (33_333_333, 33_333_334, 0)
    assert escrow.owed_total() == 66_666_667 and escrow.escrowed() == 0
    _books(escrow)
    with pytest.raises(errors.ContractError):  # the token's own error: dave cannot receive
        escrow.claim(sender=dave)
    assert escrow.owed(dave) == 33_333_333
    zero = "0x" + "00" * 20
    assert refused(errors.InvalidRecipient, lambda: escrow.claim(zero, sender=dave)) == {"to": zero}
    assert refused(errors.InvalidRecipient, lambda: escrow.claim(escrow.address, sender=dave)) == {"to": escrow.address}
    assert refused(errors.NothingOwed, lambda: escrow.claim(sender=alice)) == {"claimant": alice.address}
    assert escrow.claim(to=erin, sender=dave) == 33_333_333
    assert _wallets(blk, (erin,)) == [33_333_333] and escrow.owed(dave) == 0
    assert refused(errors.NothingOwed, lambda: escrow.claim(erin, sender=dave)) == {"claimant": dave.address}
    blk.setRefusal(bob.address, 0, sender=owner)
    assert escrow.claim(sender=bob) == 33_333_334 and _wallets(blk, (bob,)) == [33_333_334]
    assert escrow.owed_total() == 0 == int(blk.balanceOf(escrow.address))


def test_a_refused_reclaim_is_owed(paper, blk_escrow, blk, owner, frank, chain):
    """The poster blacklisted after posting: its reclaim after the expiry cannot be sent, so it is
    owed to it, and it takes it to another address."""
    escrow = blk_escrow
    escrow.post("rc", "paper", "5", expires_in=DAY, sender=owner)
    escrow.post("open", "paper", "1", sender=owner)
    blk.setRefusal(owner.address, REVERT, sender=owner)
    chain.pending_timestamp = escrow.info("rc").expires_at + 1
    assert escrow.reclaim("rc", sender=owner) == 5 * TOKEN
    assert escrow.owed(owner) == 5 * TOKEN and escrow.escrowed() == TOKEN
    _books(escrow)
    assert escrow.claim(to=frank, sender=owner) == 5 * TOKEN
    assert _wallets(blk, (frank,)) == [5 * TOKEN] and escrow.owed_total() == 0
    _books(escrow)
