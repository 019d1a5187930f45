"""Market rules of protocol.md section 1, on Anvil, checked against the reference registry."""

from __future__ import annotations

import random

import pytest

from pmarket import errors
from pmarket.exchange import Exchange
from pmarket.markets import Bounds, MarketRegistry
from pmarket.wad import WAD

ROOT = 7


def test_first_definition_creates_root_owned_by_definer(exchange, alice):
    tx = exchange.define(ROOT, 1, "0", "10", sender=alice)
    assert exchange.root_info(ROOT) == (alice.address, 1, 0)
    assert exchange.bounds(ROOT, 1) == Bounds(0, 10 * WAD)
    created = tx.events.filter(exchange.contract.RootCreated)[0]
    assert created.rootId == ROOT and created.owner == alice.address


def test_definitions_fold_to_highest_min_and_lowest_max(exchange, alice):
    exchange.define(ROOT, 1, "0", "10", sender=alice)
    exchange.define(ROOT, 1, "2", "12", sender=alice)
    assert exchange.bounds(ROOT, 1) == Bounds(2 * WAD, 10 * WAD)
    exchange.define(ROOT, 1, "-5", "7.5", sender=alice)
    assert exchange.bounds(ROOT, 1) == Bounds(2 * WAD, 7_500000000000000000)


@pytest.mark.parametrize(
    "definition, expected",
    [(("12", "15"), (10, 10)), (("-9", "-1"), (0, 0)), (("10", "20"), (10, 10))],
    ids=["above", "below", "touching"],
)
def test_disjoint_definition_collapses_instead_of_inverting(exchange, alice, definition, expected):
    exchange.define(ROOT, 1, "0", "10", sender=alice)
    exchange.define(ROOT, 2, "0", "10", sender=alice)
    tx = exchange.define(ROOT, 2, *definition, sender=alice)
    lo, hi = expected
    assert exchange.bounds(ROOT, 2) == Bounds(lo * WAD, hi * WAD)
    logged = tx.events.filter(exchange.contract.MarketDefined)[0]
    assert (logged.effectiveMin, logged.effectiveMax) == (lo * WAD, hi * WAD)


def test_sub_markets_are_bounded_by_every_smaller_branch(exchange, alice):
    exchange.define(ROOT, 1, "0", "10", sender=alice)
    exchange.define(ROOT, 2, "2", "8", sender=alice)
    exchange.define(ROOT, 3, "1", "9", sender=alice)  # clamped into branch 2
    assert exchange.bounds(ROOT, 3) == Bounds(2 * WAD, 8 * WAD)
    exchange.define(ROOT, 3, "4", "6", sender=alice)
    assert exchange.bounds(ROOT, 3) == Bounds(4 * WAD, 6 * WAD)
    assert exchange.bounds(ROOT, 2) == Bounds(2 * WAD, 8 * WAD)  # a higher branch never binds a lower


def test_root_narrowing_propagates_into_sub_markets_in_posting_order(exchange, alice):
    exchange.define(ROOT, 1, "0", "10", sender=alice)
    exchange.define(ROOT, 2, "2", "5", sender=alice)
    exchange.define(ROOT, 1, "6", "8", sender=alice)  # disjoint from the sub-market: it collapses to 5
    assert exchange.bounds(ROOT, 1) == Bounds(6 * WAD, 8 * WAD)
    assert exchange.bounds(ROOT, 2) == Bounds(5 * WAD, 5 * WAD)
    # A branch defined after the narrowing starts from the narrowed bounds (posting order matters).
    exchange.define(ROOT, 3, "2", "5", sender=alice)
    assert exchange.bounds(ROOT, 3) == Bounds(5 * WAD, 5 * WAD)


def test_settlement_narrows_to_a_point_and_sub_market_settles_at_clamp(exchange, alice):
    exchange.define(ROOT, 1, "0", "10", sender=alice)
    exchange.define(ROOT, 2, "3", "6", sender=alice)
    tx = exchange.settle(ROOT, "7.25", sender=alice)
    assert exchange.bounds(ROOT, 1) == Bounds(7_250000000000000000, 7_250000000000000000)
    assert exchange.bounds(ROOT, 2) == Bounds(6 * WAD, 6 * WAD)  # clamp(7.25, 3, 6)
    settled = tx.events.filter(exchange.contract.RootSettled)[0]
    assert settled.outcome == 7_250000000000000000
    with pytest.raises(errors.MarketSettled) as err:
        exchange.define(ROOT, 1, "0", "10", sender=alice)
    assert err.value.values == {"rootId": ROOT, "outcome": 7_250000000000000000}


def test_invalid_bounds_and_branches_are_refused(exchange, alice):
    with pytest.raises(errors.InvalidBounds) as err:
        exchange.define(ROOT, 1, "2", "1", sender=alice)
    assert err.value.values == {"min": 2 * WAD, "max": 1 * WAD}
    with pytest.raises(errors.UnknownMarket):
        exchange.define(ROOT, 2, "0", "1", sender=alice)  # a root starts at branch 1
    exchange.define(ROOT, 1, "0", "10", sender=alice)
    with pytest.raises(errors.InvalidBranch) as err:
        exchange.define(ROOT, 3, "0", "1", sender=alice)  # gap: branch 2 does not exist
    assert err.value.values == {"rootId": ROOT, "branchId": 3, "branchCount": 1}
    with pytest.raises(errors.InvalidBranch):
        exchange.define(ROOT, 0, "0", "1", sender=alice)
    with pytest.raises(errors.UnknownMarket) as err:
        exchange.bounds(ROOT, 2)
    assert err.value.values == {"rootId": ROOT, "branchId": 2}


def test_branch_count_is_capped_by_the_deployment(exchange, alice):
    exchange.define(ROOT, 1, "0", "100", sender=alice)
    cap = exchange.contract.maxBranches()
    for b in range(2, cap + 1):
        exchange.define(ROOT, b, "0", str(100 - b), sender=alice)
    with pytest.raises(errors.InvalidBranch):
        exchange.define(ROOT, cap + 1, "0", "1", sender=alice)


def test_only_owner_and_oracles_may_define(exchange, alice, bob, carol):
    exchange.define(ROOT, 1, "0", "10", sender=alice)
    with pytest.raises(errors.NotMarketOwner) as err:
        exchange.define(ROOT, 1, "1", "9", sender=bob)
    assert err.value.values == {"rootId": ROOT, "caller": bob.address}
    with pytest.raises(errors.NotMarketOwner):
        exchange.set_oracle(ROOT, bob, sender=bob)  # only the owner authorises oracles
    exchange.set_oracle(ROOT, bob, sender=alice)
    assert exchange.contract.isOracle(ROOT, bob.address)
    exchange.define(ROOT, 1, "1", "9", sender=bob)  # oracle narrows the root
    exchange.define(ROOT, 2, "2", "3", sender=bob)  # and may add sub-markets
    assert exchange.bounds(ROOT, 2) == Bounds(2 * WAD, 3 * WAD)
    with pytest.raises(errors.NotMarketOwner):
        exchange.set_oracle(ROOT, carol, sender=bob)  # an oracle cannot appoint oracles
    exchange.set_oracle(ROOT, bob, False, sender=alice)
    with pytest.raises(errors.NotMarketOwner):
        exchange.define(ROOT, 1, "1", "8", sender=bob)


def test_root_ownership_transfer(exchange, alice, bob):
    exchange.define(ROOT, 1, "0", "10", sender=alice)
    exchange.transact("transferRootOwnership", ROOT, bob.address, sender=alice)
    assert exchange.root_info(ROOT)[0] == bob.address
    with pytest.raises(errors.NotMarketOwner):
        exchange.define(ROOT, 1, "1", "9", sender=alice)
    exchange.define(ROOT, 1, "1", "9", sender=bob)


def test_namespaced_root_ids_belong_to_their_address(exchange, alice, bob):
    mine = (int(alice.address, 16) << 96) | 1
    with pytest.raises(errors.ReservedRootId) as err:
        exchange.define(mine, 1, "0", "1", sender=bob)
    assert err.value.values["rootId"] == mine
    exchange.define(mine, 1, "0", "1", sender=alice)
    assert exchange.root_info(mine)[0] == alice.address


def test_relayed_signed_definition(exchange, alice, bob, carol):
    exchange.define(ROOT, 1, "0", "10", sender=alice)
    exchange.define_by_sig(alice, ROOT, 1, "1", "9", sender=carol)  # carol relays alice's signature
    assert exchange.bounds(ROOT, 1) == Bounds(1 * WAD, 9 * WAD)
    assert exchange.contract.nonces(alice.address) == 1
    # A relayed first definition creates the root for its signer, not for the relayer.
    exchange.define_by_sig(bob, ROOT + 1, 1, "0", "5", sender=carol)
    assert exchange.root_info(ROOT + 1)[0] == bob.address
    with pytest.raises(errors.NotMarketOwner):
        exchange.define_by_sig(bob, ROOT, 1, "2", "8", sender=carol)  # bob does not own ROOT


def test_relayed_definition_refusals(exchange, chain, alice, bob, carol):
    exchange.define(ROOT, 1, "0", "10", sender=alice)
    with pytest.raises(errors.InvalidAccountNonce):
        exchange.define_by_sig(alice, ROOT, 1, "1", "9", sender=carol, nonce=5)
    with pytest.raises(errors.DefinitionExpired):
        exchange.define_by_sig(alice, ROOT, 1, "1", "9", sender=carol, deadline=chain.pending_timestamp - 10)
    # A signature by bob presented as alice's is refused.
    from pmarket.typed import Definition, sign

    message = Definition(
        rootId=ROOT, branchId=1, min=WAD, max=9 * WAD, signer=alice.address, nonce=0, deadline=0,
        eip712_domain=exchange.domain.eip712(),
    )
    forged = sign(message, bob)
    args = (ROOT, 1, WAD, 9 * WAD, alice.address, 0, 0)
    with pytest.raises(errors.InvalidDefinitionSignature) as err:
        exchange.transact("defineMarketBySig", args, forged, sender=carol)
    assert err.value.values == {"signer": alice.address}
    # The genuine signature applies once; its replay hits the used nonce.
    genuine = sign(message, alice)
    exchange.transact("defineMarketBySig", args, genuine, sender=carol)
    with pytest.raises(errors.InvalidAccountNonce):
        exchange.transact("defineMarketBySig", args, genuine, sender=carol)


def test_random_definition_sequences_match_the_reference_fold(exchange, alice):
    """Random sequences (small values so collapses are frequent) agree with the eager fold."""
    rng = random.Random(20261122)
    model = MarketRegistry(max_branches=exchange.contract.maxBranches())
    model.define(alice.address, ROOT, 1, -20 * WAD, 20 * WAD)
    exchange.define(ROOT, 1, "-20", "20", sender=alice)
    for _ in range(25):
        count = model.roots[ROOT].branch_count
        branch = rng.choice([1, 1] + list(range(2, min(count + 1, 6) + 1)))
        lo, hi = sorted(rng.randint(-22, 22) for _ in range(2))
        if branch == 1 and lo == hi:
            hi += 1  # keep the root alive for the whole sequence
        model.define(alice.address, ROOT, branch, lo * WAD, hi * WAD)
        exchange.define(ROOT, branch, str(lo), str(hi), sender=alice)
        for b in range(1, model.roots[ROOT].branch_count + 1):
            assert exchange.bounds(ROOT, b) == model.bounds(ROOT, b), f"branch {b}"


def test_settle_never_creates_a_root(exchange, alice):
    with pytest.raises(errors.UnknownMarket) as err:
        exchange.settle(404, "1", sender=alice)
    assert err.value.values == {"rootId": 404, "branchId": 1}
    assert exchange.root_info(404)[0] == "0x0000000000000000000000000000000000000000"


def test_ownership_cannot_go_to_zero(exchange, alice):
    exchange.define(ROOT, 1, "0", "10", sender=alice)
    with pytest.raises(errors.InvalidOwner):
        exchange.transact("transferRootOwnership", ROOT, "0x" + "00" * 20, sender=alice)


def test_relayed_definition_is_logged_with_signer_and_nonce(exchange, alice, carol):
    exchange.define(ROOT, 1, "0", "10", sender=alice)
    tx = exchange.define_by_sig(alice, ROOT, 1, "1", "9", sender=carol)
    signed = tx.events.filter(exchange.contract.DefinitionSigned)[0]
    assert (signed.signer, signed.nonce, signed.relayer) == (alice.address, 0, carol.address)
    assert tx.events.filter(exchange.contract.MarketDefined)[0].definer == alice.address


def test_deployment_needs_at_least_one_branch(project, owner, token):
    with pytest.raises(errors.InvalidBranch):
        Exchange.deploy(collateral=token, max_branches=0, sender=owner)
