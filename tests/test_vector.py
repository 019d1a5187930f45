"""The numpy-vectorised check agrees exactly with the scalar path (node only, no chain needed)."""

from __future__ import annotations

import random

from pmarket import vector
from pmarket.node import Node, NodeConfig
from pmarket.orders import Order
from pmarket.scenario import Scenario
from pmarket.scenario.backends import NodeBackend
from pmarket.scenario.runner import Runner
from pmarket.wad import WAD as W

from .scenario_gen import generate

ADMIN = "0x" + "aa" * 20


def test_vector_equals_scalar_on_random_scenarios():
    checked = 0
    for seed in range(120):
        scenario = Scenario.load(generate(1000 + seed))
        runner = Runner(scenario, NodeBackend())
        runner.run()
        node = runner.backend.node
        traders = [runner.address(n) for n in scenario.traders]
        assert vector.worst_cases(node, traders) == [node.worst_case(t)[0] for t in traders], seed
        checked += len(traders)
    assert checked > 300


def _synthetic(unit: int, traders: int = 50, seed: int = 7) -> tuple[Node, list[str]]:
    """A node with many traders (signatures not checked: an ERC-1271 stand-in accepts all)."""
    node = Node(NodeConfig(), erc1271=lambda *_: True)
    rng = random.Random(seed)
    node.define(ADMIN, 1, 1, 0, 1000 * unit)
    node.define(ADMIN, 1, 2, 200 * unit, 700 * unit)
    node.define(ADMIN, 1, 3, 300 * unit, 600 * unit)
    node.define(ADMIN, 2, 1, -50 * unit, 50 * unit)
    bounds = {(1, 1): (0, 1000), (1, 2): (200, 700), (1, 3): (300, 600), (2, 1): (-50, 50)}
    names = ["0x%040x" % (i + 1) for i in range(traders)]
    for t in names:
        node.deposit(t, 10**15)
        for _ in range(rng.randint(1, 5)):
            (root, branch), (lo, hi) = rng.choice(sorted(bounds.items()))
            price = rng.randint(lo, hi) * unit + rng.randint(0, 999)  # odd wei: no common scale
            qty = rng.choice([1, -1]) * (rng.randint(1, 9) * W + rng.randint(0, 10**6))
            order = Order(trader=t, market_root_id=root, market_branch_id=branch, price=price, quantity=qty, previous=node.chain_head(t))
            node.place(order, b"\x00" * 65)
    return node, names


def test_vector_falls_back_to_exact_python_integers_when_int64_could_overflow():
    node, names = _synthetic(W)
    snap = vector.snapshot(node, names)
    assert not snap.exact_int64  # odd wei amounts: scale 1, products beyond 63 bits
    assert vector.worst_cases(node, names, snap) == [node.worst_case(t)[0] for t in names]


def test_vector_uses_int64_when_every_product_fits():
    node = Node(NodeConfig(), erc1271=lambda *_: True)
    node.define(ADMIN, 1, 1, 0, 100 * W)
    names = ["0x%040x" % (i + 1) for i in range(20)]
    for i, t in enumerate(names):
        node.deposit(t, 10**12)
        price = (i % 10) * 10 * W + W // 2
        node.place(Order(trader=t, market_root_id=1, market_branch_id=1, price=price, quantity=(-1) ** i * 3 * W), b"\x00" * 65)
    snap = vector.snapshot(node, names)
    assert snap.exact_int64 and snap.scale == 10**17
    assert vector.worst_cases(node, names, snap) == [node.worst_case(t)[0] for t in names]
