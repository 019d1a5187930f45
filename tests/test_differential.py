"""Differential test: chain, node and brute force agree on random scenarios.

Each scenario runs on the independent node and, as signed transactions, on a fresh Exchange on
Anvil; the two reports must be equal in every verdict, error name, balance, position, open order
and worst case. The node's worst case of every trader must also equal a brute-force search over a
dense grid of outcomes and every subset of open orders.
"""

from __future__ import annotations

import os

import pytest

from pmarket.scenario import Scenario, diff
from pmarket.scenario.backends import NodeBackend
from pmarket.scenario.chain import ChainBackend
from pmarket.scenario.runner import Runner

from .bruteforce import brute_worst
from .scenario_gen import generate

SCENARIOS = int(os.environ.get("PMARKET_DIFF_SCENARIOS", "300"))
CHUNK = 25


@pytest.mark.parametrize("chunk", range((SCENARIOS + CHUNK - 1) // CHUNK))
def test_chain_node_and_brute_force_agree(project, chunk):
    failures = []
    for seed in range(chunk * CHUNK, min(SCENARIOS, (chunk + 1) * CHUNK)):
        scenario = Scenario.load(generate(seed))
        offchain = Runner(scenario, NodeBackend())
        node_report = offchain.run()
        chain_report = Runner(scenario, ChainBackend(scenario.traders, project=project)).run()
        differences = diff(node_report, chain_report)
        if differences:
            failures.append((seed, differences[:5]))
            continue
        node = offchain.backend.node
        for name in scenario.traders:
            who = offchain.address(name)
            assert brute_worst(node, who) == node.worst_case(who)[0], (seed, name)
    assert not failures, failures
