"""Scenarios: try a book before trading, on the node, on a fresh chain, or both compared.

``pmarket scenario run FILE [--offchain | --chain | --compare]``; see :mod:`pmarket.scenario.model`
for the file format and ``examples/scenarios/`` for one scenario per rule with its expected report.
"""

from __future__ import annotations

from typing import Any, Union

from .backends import NodeBackend
from .model import Scenario, ScenarioError
from .runner import Runner, diff

__all__ = ["Scenario", "ScenarioError", "run_offchain", "run_chain", "compare", "diff"]


def run_offchain(scenario: Union[Scenario, str, dict]) -> dict[str, Any]:
    """The report of the scenario on the independent node alone."""
    s = scenario if isinstance(scenario, Scenario) else Scenario.load(scenario)
    return Runner(s, NodeBackend()).run()


def run_chain(scenario: Union[Scenario, str, dict], *, project: Any = None) -> dict[str, Any]:
    """The report of the scenario as transactions on the connected chain (a fresh deployment)."""
    from .chain import ChainBackend

    s = scenario if isinstance(scenario, Scenario) else Scenario.load(scenario)
    return Runner(s, ChainBackend(s.traders, project=project)).run()


def compare(scenario: Union[Scenario, str, dict], *, project: Any = None) -> tuple[dict, dict, list[str]]:
    """Both reports and their differences (empty when node and chain agree on everything)."""
    s = scenario if isinstance(scenario, Scenario) else Scenario.load(scenario)
    node, chain = run_offchain(s), run_chain(s, project=project)
    return node, chain, diff(node, chain)
