"""Artifact markets as scenarios on Anvil: the table's cells, frozen actions, roles, reputation,
bounty remainders, a flag followed by a new round, and the 90-day close with time travel.

Each scenario runs as signed transactions on fresh contracts (the chain backend pins block time,
so only ``warp`` moves it). The expected numbers are worked by hand in the comments.
"""

from __future__ import annotations

import math
import os
from decimal import Decimal

import pytest

from pmarket.scenario import Scenario, ScenarioError, run_offchain
from pmarket.scenario.chain import ChainBackend
from pmarket.scenario.runner import Runner, diff

from .scenario_gen import generate_artifact

DAY = 86_400

TABLE = {
    "actions": [
        {"do": "deposit", "by": "ann", "amount": "100"},
        {"do": "deposit", "by": "bob", "amount": "100"},
        {"do": "grant", "by": "admin", "role": "oracle", "to": "ora"},
        {"do": "artifact", "by": "reg", "id": "paper", "b": "10", "fee": 100},
        # ann long 10 at 0.6 (commits 6), bob short 10 (commits 4).
        {"do": "order", "by": "ann", "id": "a", "root": "paper", "branch": 1, "price": "0.6", "quantity": "10"},
        {"do": "order", "by": "bob", "id": "b", "root": "paper", "branch": 1, "price": "0.6", "quantity": "-10"},
        {"do": "match", "bid": "a", "ask": "b", "quantity": "10"},
        {"do": "order", "by": "ann", "id": "a2", "root": "paper", "branch": 1, "price": "0.1", "quantity": "1"},
        {"do": "lifecycle", "by": "ora", "artifact": "paper", "state": "challenged"},  # 8
        {"do": "order", "by": "bob", "id": "b2", "root": "paper", "branch": 1, "price": "0.5", "quantity": "-1"},
        {"do": "buy", "by": "bob", "pool": "paper", "side": "short", "shares": "1"},
        {"do": "cancel", "by": "ann", "order": "a2"},
        {"do": "reduce", "by": "ann", "order": "a2", "quantity": "0.5"},
        {"do": "close", "by": "ann", "artifact": "paper"},
        # ann: 100 - 6 (position) - 0.1 (open bid) = 93.9 free.
        {"do": "withdraw", "by": "ann", "amount": "93.900001"},  # 14: needs frozen collateral
        {"do": "withdraw", "by": "ann", "amount": "93.9"},
        {"do": "lifecycle", "by": "ann", "artifact": "paper", "state": "listed"},  # not an oracle
        {"do": "lifecycle", "by": "ora", "artifact": "paper", "state": "listed"},
        {"do": "lifecycle", "by": "ora", "artifact": "paper", "state": "validated"},  # 18
        {"do": "claim", "by": "ann", "root": "paper"},  # managed: claims go through the registry
        {"do": "settle_artifact", "by": "cat", "artifact": "paper"},
        {"do": "claim_artifact", "by": "ann", "artifact": "paper"},  # nothing left: idempotent
        {"do": "lifecycle", "by": "ora", "artifact": "paper", "state": "deprecated"},  # final
        {"do": "bounty", "by": "cat", "id": "review", "artifact": "paper", "amount": "100"},
        {"do": "distribute", "by": "ann", "bounty": "review", "claimants": {"ann": 1}},
        {"do": "distribute", "by": "ora", "bounty": "review", "claimants": {"ann": 1, "bob": 1, "cat": 1}},
        {"do": "distribute", "by": "ora", "bounty": "review", "claimants": {"ann": 1}},
    ]
}


@pytest.fixture(scope="module")
def table_report(project):
    scenario = Scenario.load(TABLE)
    return Runner(scenario, ChainBackend(scenario.traders, project=project)).run()


def test_frozen_actions_and_roles(table_report):
    errors = [r.get("error") for r in table_report["results"]]
    # While challenged: orders, pool trades, cancels, reductions, closes and the needed withdrawal.
    assert errors[9:15] == ["MarketFrozen"] * 6
    assert errors[15] is None, "93.9 was free"
    assert errors[16] == "AccessControlUnauthorizedAccount"
    assert errors[19] == "NotMarketOwner"
    assert errors[22] == "InvalidTransition"


def test_validated_cell_and_reputation(table_report):
    r = table_report
    # ann: 100 - 93.9 withdrawn = 6.1; validated: +4 (10 x (1 - 0.6)) -> 10.1. bob: 100 - 4 = 96.
    assert r["traders"]["ann"]["balance"] == "10.1"
    assert r["traders"]["bob"]["balance"] == "96"
    # Everyone without a position is skipped by name; ann and bob were credited.
    skipped = {s["trader"]: s["error"] for s in r["results"][20]["skipped"]}
    assert "ann" not in skipped and "bob" not in skipped
    assert {skipped[n] for n in ("ora", "reg", "cat")} == {"NothingToClaim"}
    # ann correct on a stake of 6: (6 + 1) / (6 + 2) = 0.875; bob wrong on 4: 1 / 6.
    assert r["reputation"]["ann"] == {
        "correct": 1, "incorrect": 0, "correct_stake": "6", "total_stake": "6", "score": "0.875"
    }
    assert r["reputation"]["bob"]["incorrect"] == 1
    assert r["reputation"]["bob"]["score"] == "0.166666666666666666"
    art = r["artifacts"]["paper"]
    assert art["state"] == "validated" and art["rounds"][0]["outcome"] == "validated"
    assert [h["state"] for h in art["history"]] == ["listed", "challenged", "listed", "validated"]
    assert [h["by"] for h in art["history"]] == ["reg", "ora", "ora", "ora"]


def test_bounty_remainder(table_report):
    r = table_report
    assert r["results"][24] == {"ok": False, "error": "NotOracle"}
    # 100 split 1:1:1: running totals 33.333333, 66.666666, 100 -> the last claimant takes the unit.
    assert r["results"][25]["paid"] == {"ann": "33.333333", "bob": "33.333333", "cat": "33.333334"}
    assert r["results"][26]["error"] == "AlreadyDistributed"
    assert r["bounties"] == {
        "escrowed": "0",
        "review": {"artifact": "paper", "funder": "cat", "amount": "100", "distributed": True},
    }


ROUNDS = {
    "actions": [
        {"do": "deposit", "by": "ann", "amount": "100"},
        {"do": "deposit", "by": "bob", "amount": "100"},
        {"do": "grant", "by": "admin", "role": "oracle", "to": "ora"},
        {"do": "artifact", "by": "reg", "id": "p2", "b": "10", "fee": 1000},
        {"do": "buy", "by": "ann", "pool": "p2", "side": "long", "shares": "4"},
        {"do": "lifecycle", "by": "ora", "artifact": "p2", "state": "flagged"},  # 5
        {"do": "buy", "by": "bob", "pool": "p2", "side": "long", "shares": "1"},  # the round is closed
        {"do": "settle_artifact", "by": "ora", "artifact": "p2"},
        {"do": "lifecycle", "by": "ora", "artifact": "p2", "state": "listed"},  # round 1
        {"do": "buy", "by": "ann", "pool": "p2", "side": "long", "shares": "2"},
        {"do": "buy", "by": "bob", "pool": "p2", "side": "short", "shares": "8"},
        {"do": "sell", "by": "bob", "pool": "p2", "side": "short", "shares": "8"},
        {"do": "buy", "by": "bob", "pool": "p2", "side": "short", "shares": "8"},
        {"do": "sell", "by": "bob", "pool": "p2", "side": "short", "shares": "8"},
        {"do": "close", "by": "ann", "artifact": "p2"},  # 14: too early
        {"do": "warp", "seconds": 90 * DAY},
        {"do": "close", "by": "ann", "artifact": "p2"},  # 16: exactly 90 days: not yet
        {"do": "warp", "seconds": 1},
        {"do": "close", "by": "ann", "artifact": "p2"},  # 18: more than 90 days listed
        {"do": "close", "by": "ann", "artifact": "p2"},  # nothing left
        {"do": "lifecycle", "by": "ora", "artifact": "p2", "state": "validated"},
        {"do": "settle_artifact", "by": "ora", "artifact": "p2"},
    ]
}


def test_flag_new_round_and_ninety_day_close(project):
    scenario = Scenario.load(ROUNDS)
    r = Runner(scenario, ChainBackend(scenario.traders, project=project)).run()
    errors = [x.get("error") for x in r["results"]]
    assert errors[6] == "MarketFlagged"
    assert errors[14] == "CloseNotYet" and errors[16] == "CloseNotYet"
    assert errors[18] is None, r["results"][18]
    # ann's 2 long of round 1 (bought at sigma(0) .. sigma(0.2)) are bought back at the range's low,
    # sigma(0.2) = 0.549833997312477908... less 1e-33, rounded down; her credit (10% of her
    # purchase) pays the difference to the LMSR sale, 10 ln((1 + e^0.2) / 2)
    closed = r["results"][18]["closed"]
    assert (closed["quantity"], closed["cost"]) == ("-2", "-1.099667994624955816")
    assert abs(float(closed["cost"]) + 2 / (1 + math.exp(-0.2))) < 1e-15
    assert abs(float(closed["discount"]) - (2 / (1 + math.exp(-0.2)) - 10 * math.log((1 + math.exp(0.2)) / 2))) < 1e-15
    assert errors[19] == "NothingToClose"
    # Flagged: ann's long 4 gets back half of what it cost her; she then trades round 1 and
    # closes flat there before the validation, so round 1 holds no quantity of hers.
    ann = r["traders"]["ann"]["positions"]
    assert ann["p2#1"]["quantity"] == "0"
    assert ann["p2#0"]["quantity"] == "4"
    art = r["artifacts"]["p2"]
    assert [x["outcome"] for x in art["rounds"]] == ["flagged", "validated"]
    assert [(h["state"], h["round"]) for h in art["history"]] == [
        ("listed", 0), ("flagged", 0), ("listed", 1), ("validated", 1)
    ]
    assert float(r["pools"]["p2#1"]["cushion"]) > 0
    # ann was wrong in round 0 (long, flagged) and made no prediction in round 1 (flat).
    assert r["reputation"]["ann"]["correct"] == 0 and r["reputation"]["ann"]["incorrect"] == 1
    # bob only traded in and out of round 1: flat, so no prediction and no record.
    assert "bob" not in r["reputation"]


TRIGGERS = {
    "actions": [
        {"do": "deposit", "by": "ann", "amount": "50"},
        {"do": "deposit", "by": "bob", "amount": "50"},
        {"do": "deposit", "by": "cat", "amount": "5"},
        {"do": "artifact", "by": "reg", "id": "t", "b": "10", "fee": 50},  # t0; the range's period: a day
        {"do": "trigger", "by": "bob", "artifact": "t", "state": "validated"},  # 4: the round is not a window old
        {"do": "buy", "by": "ann", "pool": "t", "side": "long", "shares": "10"},  # x = 1: sigma(1) = 0.731
        {"do": "warp", "seconds": 30 * 3600},  # t0 + 30 h: the first day (0.5 .. 0.731) is the previous period
        {"do": "trigger", "by": "bob", "artifact": "t", "state": "flagged"},  # 7: the range's high 0.731 >= 0.3
        {"do": "trigger", "by": "bob", "artifact": "t", "state": "challenged"},  # 8: not triggerable
        {"do": "trigger", "by": "bob", "artifact": "t", "state": "validated"},  # 9: its low 0.5 <= 0.7
        {"do": "sell", "by": "ann", "pool": "t", "side": "long", "shares": "10"},  # rolls the range at t0 + 30 h
        {"do": "buy", "by": "bob", "pool": "t", "side": "short", "shares": "30"},  # x = -3: 0.0474
        {"do": "warp", "seconds": DAY + 1},
        {"do": "trigger", "by": "ann", "artifact": "t", "state": "deprecated"},  # 13: 0.731 from before the fall
        {"do": "warp", "seconds": DAY},  # two days since the last trade: the range is the price
        {"do": "trigger", "by": "bob", "artifact": "t", "state": "validated"},  # 15: its low 0.0474
        {"do": "trigger", "by": "ann", "artifact": "t", "state": "deprecated"},  # its high 0.0474 < 0.1
        {"do": "trigger", "by": "ann", "artifact": "t", "state": "flagged"},  # 17: final
        {"do": "settle_artifact", "by": "ann", "artifact": "t"},
        # a thin pool: b = 1, a short of 20 at 0.1 (commits 18), flagged: the bonuses shrink pro rata
        {"do": "artifact", "by": "reg", "id": "thin", "b": "1"},
        {"do": "order", "by": "ann", "id": "l", "root": "thin", "branch": 1, "price": "0.1", "quantity": "20"},
        {"do": "order", "by": "bob", "id": "s", "root": "thin", "branch": 1, "price": "0.1", "quantity": "-20"},
        {"do": "match", "bid": "l", "ask": "s", "quantity": "20"},
        {"do": "buy", "by": "cat", "pool": "thin", "side": "short", "shares": "1"},
        {"do": "grant", "by": "admin", "role": "oracle", "to": "ora"},
        {"do": "lifecycle", "by": "ora", "artifact": "thin", "state": "challenged"},
        {"do": "lifecycle", "by": "ora", "artifact": "thin", "state": "flagged"},
        # listed again before the flagged round is settled: the reserve funds what it can
        {"do": "lifecycle", "by": "ora", "artifact": "thin", "state": "listed"},
        {"do": "settle_artifact", "by": "ora", "artifact": "thin"},
        {"do": "lifecycle", "by": "ora", "artifact": "thin", "state": "deprecated"},
        {"do": "claim_artifact", "by": "bob", "artifact": "thin", "round": 0},
        {"do": "withdraw", "by": "bob", "amount": "1"},
    ]
}


EXPIRY = {
    "actions": [
        {"do": "grant", "by": "admin", "role": "oracle", "to": "ora"},
        {"do": "artifact", "by": "reg", "id": "doc", "b": "1"},
        {"do": "bounty", "by": "cat", "id": "short", "artifact": "doc", "amount": "10", "expires_in": DAY},  # 2
        {"do": "bounty", "by": "ann", "id": "long", "artifact": "doc", "amount": "4"},  # 3: open 365 days
        {"do": "bounty", "by": "bob", "id": "never", "artifact": "doc", "amount": "1", "expires_in": 0},  # 4
        {"do": "reclaim", "by": "cat", "bounty": "short"},  # 5: not expired
        {"do": "warp", "seconds": DAY},
        {"do": "reclaim", "by": "cat", "bounty": "short"},  # 7: exactly the expiry: still open
        {"do": "warp", "seconds": 1},
        {"do": "distribute", "by": "ora", "bounty": "short", "claimants": {"ann": 1}},  # 9: expired
        {"do": "reclaim", "by": "ann", "bounty": "short"},  # 10: not ann's
        {"do": "reclaim", "by": "cat", "bounty": "short"},  # 11: cat's 10 back
        {"do": "reclaim", "by": "cat", "bounty": "short"},  # 12: once
        {"do": "distribute", "by": "ora", "bounty": "long", "claimants": {"bob": 1, "cat": 2}},  # 13
        {"do": "warp", "seconds": 400 * DAY},
        {"do": "reclaim", "by": "ann", "bounty": "long"},  # 15: paid out, nothing to reclaim
    ]
}


def test_bounty_expiry_and_reclaims():
    r = run_offchain(EXPIRY)
    errors = [x.get("error") for x in r["results"]]
    assert errors[4] == "InvalidExpiry"
    assert errors[5] == errors[7] == "BountyNotExpired"
    assert errors[9] == "BountyExpired"
    assert errors[10] == errors[12] == "NothingToReclaim"
    assert r["results"][11] == {"ok": True, "reclaimed": "10"}
    # 4 tokens at 1:2: floor(4e6 / 3) = 1333333 and 4000000 - 1333333 = 2666667 units.
    assert r["results"][13]["paid"] == {"bob": "1.333333", "cat": "2.666667"}
    assert errors[15] == "AlreadyDistributed"
    assert r["bounties"] == {
        "escrowed": "0",
        "short": {"artifact": "doc", "funder": "cat", "amount": "0", "distributed": False},
        "long": {"artifact": "doc", "funder": "ann", "amount": "4", "distributed": True},
    }


@pytest.mark.parametrize("name", ["TABLE", "ROUNDS", "TRIGGERS", "EXPIRY"])
def test_node_and_chain_agree_on_artifact_markets(project, name):
    """The independent node models the registry, the escrow, managed roots and tracked pools: on
    every verdict, error, balance, position, pool, cushion, history, reputation and bounty it
    reports what the chain does."""
    scenario = Scenario.load(globals()[name])
    node = run_offchain(scenario)
    chain = Runner(scenario, ChainBackend(scenario.traders, project=project)).run()
    assert diff(node, chain) == []
    assert node["artifacts"] and any(not r["ok"] for r in node["results"])


def test_triggers_and_a_thin_pool(project):
    r = run_offchain(TRIGGERS)
    errors = [x.get("error") for x in r["results"]]
    assert errors[4] == "WindowNotElapsed"
    assert errors[8] == "NotTriggerable" and errors[17] == "NotTriggerable"
    # the range's ends: log-odds 1, 0 and -3 exactly, their prices moved 1e-33 (LMSRMath's error
    # bound) against the trigger and rounded outwards to the wei: sigma(1) = 0.73105857863000487925
    # up, 0.5 down, sigma(-3) = 0.04742587317756678087 down
    refused = {i: (r["results"][i]["error"], r["results"][i]["price"], r["results"][i]["threshold"]) for i in (7, 9, 13, 15)}
    assert refused == {
        7: ("ThresholdNotMet", "0.73105857863000488", "0.3"),
        9: ("ThresholdNotMet", "0.499999999999999999", "0.7"),
        13: ("ThresholdNotMet", "0.73105857863000488", "0.1"),
        15: ("ThresholdNotMet", "0.04742587317756678", "0.7"),
    }
    assert errors[16] is None
    t = r["artifacts"]["t"]
    assert [(h["state"], h["by"], h["triggered"]) for h in t["history"]] == [
        ("listed", "reg", False), ("deprecated", "ann", True)
    ]
    # the settled round's pool was claimed: it keeps the range of its last trade (ann's sale
    # rolled it at t0 + 30 h, so its previous period still holds 0.731)
    assert r["pools"]["t#0"]["range"] == {"low": "0.04742587317756678", "high": "0.73105857863000488"}
    # each fee (0.5%) is its payer's credit: ann's buy of 10 and her sale, 10 ln((1 + e) / 2) each,
    # and bob's 30 short, 10 ln((1 + e^3) / 2); the cushion is their sum
    credits = r["pools"]["t#0"]["credits"]
    assert set(credits) == {"ann", "bob"}
    assert abs(float(credits["ann"]) - 2 * 0.005 * 10 * math.log((1 + math.e) / 2)) < 1e-12
    assert abs(float(credits["bob"]) - 0.005 * 10 * math.log((1 + math.e**3) / 2)) < 1e-12
    assert Decimal(r["pools"]["t#0"]["cushion"]) == sum(Decimal(c) for c in credits.values())
    thin = r["artifacts"]["thin"]
    assert [x["outcome"] for x in thin["rounds"]] == ["flagged", "deprecated"]


ARTIFACT_SEEDS = int(os.environ.get("PMARKET_ARTIFACT_SCENARIOS", "8"))


def test_node_and_chain_agree_on_ranges_credits_and_closes(project):
    """Random artifact markets (tests/scenario_gen.py): trades, fills, time steps around the window,
    triggers, challenges and closes. On every price range, credit, cushion, close (quantity, cost,
    discount) and trigger verdict (with the range's end it read) the node reports what the chain
    does. Over the seeds, closes must have taken each of the three prices and triggers been both
    refused on the range and passed."""
    failures, seen = [], {"lmsr": 0, "range": 0, "credit": 0, "refused": 0, "triggered": 0, "other": 0}
    for seed in range(ARTIFACT_SEEDS):
        scenario = Scenario.load(generate_artifact(seed))
        node = run_offchain(scenario)
        chain = Runner(scenario, ChainBackend(scenario.traders, project=project)).run()
        differences = diff(node, chain)
        if differences:
            failures.append((seed, differences[:5]))
            continue
        for action, result in zip(scenario.actions, node["results"]):
            if "closed" in result:
                closed = result["closed"]
                seen["lmsr" if closed["discount"] == "0" else "range" if _at_range(closed) else "credit"] += 1
            if action.do == "trigger":
                seen["refused" if result.get("error") == "ThresholdNotMet" else "triggered" if result["ok"] else "other"] += 1
        assert "range" in node["pools"]["a#0"] and "credits" in node["pools"]["a#0"]
    assert not failures, failures
    assert all(seen[k] for k in ("lmsr", "range", "credit", "refused", "triggered")), seen


def _at_range(closed: dict) -> bool:
    """Whether a close with a discount was at a range price: its cost is a whole number of wei per
    share (a price of 18 decimals times the quantity), not the LMSR sale less a credit."""
    quantity, cost = Decimal(closed["quantity"]), Decimal(closed["cost"])
    return (cost / quantity * 10**18) % 1 == 0
