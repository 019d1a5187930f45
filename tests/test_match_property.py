"""A match at a price within both limits never lowers either trader's worst case (protocol.md
section 3): the reason matches need no collateral check. Checked on the node after every match of
hundreds of random scenarios, by exact integers."""

from __future__ import annotations

from pmarket.matching import MatchRequest
from pmarket.scenario import Scenario
from pmarket.scenario.backends import NodeBackend
from pmarket.scenario.runner import Runner

from .scenario_gen import generate


class WatchedNode(NodeBackend):
    """Records every trader's worst case around each applied match."""

    matches = 0

    def match(self, request: MatchRequest) -> None:
        traders = {request.bid.order.trader, request.ask.order.trader}
        before = {t: self.node.worst_case(t)[0] for t in traders}
        super().match(request)  # raises (and changes nothing) when the match is refused
        for t in traders:
            after = self.node.worst_case(t)[0]
            assert after >= before[t], (t, before[t], after)
        WatchedNode.matches += 1


def test_matches_never_lower_a_worst_case():
    WatchedNode.matches = 0
    for seed in range(400):
        scenario = Scenario.load(generate(5000 + seed))
        Runner(scenario, WatchedNode()).run()
    assert WatchedNode.matches > 300  # the property was exercised, not vacuous
