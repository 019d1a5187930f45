"""The ledger's tables over a busy deployment on a real Anvil (thousands of events: every kind of
order, match, amendment, pool trade, settlement, an artifact's lifecycle, reputation and bounties):
each history row is its chain event, each state row the chain's state, row for row; export and
import give the identical index; the client's calls give the same answers from the index."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from pmarket.exchange import Exchange
from pmarket.ledger import Ledger, LogDecoder, LogSource
from pmarket.ledger import tables as t
from pmarket.ledger.history import PROJECTIONS
from pmarket.ledger.schema import balances, events, positions, settlements
from pmarket.node.replay import events_of
from pmarket.scenario import Scenario
from pmarket.scenario.chain import ChainBackend
from pmarket.scenario.runner import Runner

from .scenario_gen import generate
from .test_artifact_scenarios import TABLE

#: Random orders, matches, Partials, cancels, reductions, pools, fills, settlements and claims
#: (tests/scenario_gen.py): this many scenarios one after the other, each on roots of its own...
SEEDS = 40
STEPS = 45
#: ... then an artifact's whole lifecycle with a bounty (the artifact table).
ID_KEYS = ("id", "order", "bid", "ask", "pool")


def _shifted(action, n):
    """``action`` of scenario ``n`` on roots and ids of its own (root ``r`` -> ``10 n + r``)."""
    out = dict(action)
    if isinstance(out.get("root"), int):  # a match of a batch has no "do"
        out["root"] += 10 * n
    for key in ID_KEYS:
        if isinstance(out.get(key), str):
            out[key] = f"s{n}{out[key]}"
    if "matches" in out:
        out["matches"] = [_shifted(m, n) for m in out["matches"]]
    return out


def busy_actions():
    actions = [_shifted(a, n) for n in range(SEEDS) for a in generate(n, STEPS)["actions"]]
    late = [  # a bounty that expires unclaimed and is taken back
        {"do": "bounty", "by": "cat", "id": "late", "artifact": "paper", "amount": "5", "expires_in": 3600},
        {"do": "warp", "seconds": 7200},
        {"do": "reclaim", "by": "cat", "bounty": "late"},
    ]
    return actions + TABLE["actions"] + late


@pytest.fixture(scope="module")
def busy(project, tmp_path_factory):
    """``(runner, exchange, registry, escrow, decoder, ledger, deployment)``: the busy scenario
    played on a fresh deployment, synced into a SQLite index and refreshed."""
    from ape import chain

    from pmarket.artifacts import Artifacts
    from pmarket.bounties import Bounties
    from pmarket.ledger.archive import config_of
    from pmarket.ledger.state import refresh

    start = chain.blocks.head.number + 1
    scenario = Scenario.load({"actions": busy_actions()})
    runner = Runner(scenario, ChainBackend(scenario.traders, project=project))
    runner.run()
    backend = runner.backend
    exchange = Exchange.at(backend.ex.address, project=project)
    exchange.start_block = start
    registry = Artifacts.at(backend.registry.address, exchange, project=project, start_block=start)
    escrow = Bounties.at(backend.escrow.address, registry, project=project)
    decoder = LogDecoder({h.address: h.contract_type for h in (backend.ex, backend.maker, backend.registry, backend.escrow)})
    ledger = Ledger(f"sqlite:///{tmp_path_factory.mktemp('busy') / 'busy.db'}")
    deployment = ledger.follow(chain.chain_id, exchange.address, start, maker=exchange.maker.address,
                               artifacts=backend.registry.address, bounties=backend.escrow.address,
                               config=config_of(exchange, [registry], [escrow]))
    ledger.sync(LogSource(chain.provider.web3.provider.make_request), deployment, decoder, confirmations=0, chunk=50)
    assert refresh(ledger, deployment, decoder) == []
    return runner, exchange, registry, escrow, decoder, ledger, deployment


def _rows(ledger, deployment, table):
    """Every row of ``table`` for the deployment, without ids: history in chain order, state sorted
    in Python (database collations order text differently)."""
    columns = [c for c in table.c if c.name not in ("id", "deployment_id")]
    query = select(*columns).where(table.c.deployment_id == deployment)
    with ledger.engine.connect() as db:
        if "block" in table.c:
            return [tuple(r) for r in db.execute(query.order_by(table.c.block, table.c.log_index))]
        return sorted((tuple(r) for r in db.execute(query)), key=repr)


def test_the_busy_index_holds_thousands_of_events_of_every_kind(busy):
    runner, exchange, registry, escrow, decoder, ledger, deployment = busy
    chain_events = events_of(exchange, registry, escrow)
    assert ledger.count(deployment) == len(chain_events) >= 2_000
    with ledger.engine.connect() as db:
        names = {r.name for r in db.execute(select(events.c.name).where(events.c.deployment_id == deployment))}
    # Every projected kind occurs, so every history table is exercised below.
    # (Pending and Claimed need a payment the token refuses; PositionClosed an artifact close.)
    assert names >= set(PROJECTIONS) - {"BountyPending", "BountyClaimed", "BountyFunded", "PositionClosed"}


def _h(value):
    return "0x" + bytes(value).hex()


def _a(value):
    return str(value).lower()


#: For each projected event: the table, which of its rows (None: all), the columns compared, and the same values computed from ape's decoding of the chain's log.
EXPECTED = {
    "MarketDefined": (t.definitions, None, ("root_id", "branch_id", "definer", "min", "max", "effective_min", "effective_max"),
                      lambda a: (str(a["rootId"]), a["branchId"], _a(a["definer"]), str(a["min"]), str(a["max"]),
                                 str(a["effectiveMin"]), str(a["effectiveMax"]))),
    "OrderAdded": (t.orders, None, ("order_hash", "trader", "root_id", "branch_id", "price", "quantity", "trade_type", "signature", "erc1271"),
                   lambda a: (_h(a["orderHash"]), _a(a["trader"]), str(a["marketRootId"]), a["order"][6], str(a["order"][3]),
                              str(a["order"][4]), a["order"][8], _h(a["signature"]), a["erc1271"])),
    "OrdersMatched": (t.matches, None, ("bid_hash", "ask_hash", "root_id", "branch_id", "quantity", "price"),
                      lambda a: (_h(a["bidHash"]), _h(a["askHash"]), str(a["rootId"]), a["branchId"], str(a["quantity"]), str(a["price"]))),
    "OrderCancelled": (t.amendments, t.amendments.c.kind == "cancel", ("order_hash", "by_hash", "quantity"),
                       lambda a: (_h(a["orderHash"]), _h(a["offsetHash"]), str(a["cancelled"]))),
    "OrderReduced": (t.amendments, t.amendments.c.kind == "reduce", ("order_hash", "by_hash", "quantity", "remaining"),
                     lambda a: (_h(a["orderHash"]), _h(a["reductionHash"]), str(a["reduced"]), str(a["remaining"]))),
    "PartialUsed": (t.amendments, t.amendments.c.kind == "partial", ("order_hash", "by_hash"), lambda a: (_h(a["orderHash"]), _h(a["partialHash"]))),
    "OrderFilledByPool": (t.amendments, t.amendments.c.kind == "pool_fill", ("order_hash", "by_hash", "quantity"),
                          lambda a: (_h(a["orderHash"]), _a(a["pool"]), str(a["quantity"]))),
    "PoolTraded": (t.trades, t.trades.c.kind == "trade", ("pool_id", "trader", "side", "quantity", "cost", "fee"),
                   lambda a: (_h(a["poolId"]), _a(a["trader"]), int(a["side"]), str(a["quantity"]), str(a["cost"]), str(a["fee"]))),
    "PoolFilled": (t.trades, t.trades.c.kind == "fill", ("pool_id", "trader", "order_hash", "quantity", "cost", "fee"),
                   lambda a: (_h(a["poolId"]), _a(a["owner"]), _h(a["orderHash"]), str(a["quantity"]), str(a["cost"]), str(a["fee"]))),
    "PoolCreated": (t.pools, None, ("pool_id", "creator", "root_id", "b", "account", "funding", "period"),
                    lambda a: (_h(a["poolId"]), _a(a["creator"]), str(a["rootId"]), str(a["key"][4]), _a(a["account"]),
                               str(a["funding"]), a["period"])),
    "Deposited": (t.transfers, t.transfers.c.kind == "deposit", ("account", "counterparty", "amount", "token_amount"),
                  lambda a: (_a(a["account"]), _a(a["payer"]), str(a["credited"]), str(a["tokenAmount"]))),
    "Withdrawn": (t.transfers, t.transfers.c.kind == "withdraw", ("account", "counterparty", "amount", "token_amount"),
                  lambda a: (_a(a["account"]), _a(a["to"]), str(a["debited"]), str(a["tokenAmount"]))),
    "Claimed": (t.transfers, t.transfers.c.kind == "claim", ("account", "counterparty", "root_id", "amount"),
                lambda a: (_a(a["trader"]), _a(a["caller"]), str(a["rootId"]), str(a["payoff"]))),
    "ArtifactRegistered": (t.artifacts, t.artifacts.c.round.is_(None), ("artifact", "registrant", "b", "fee_bps", "funding"),
                           lambda a: (_h(a["artifact"]), _a(a["registrant"]), str(a["b"]), a["feeBps"], str(a["funded"]))),
    "RoundOpened": (t.artifacts, t.artifacts.c.round.is_not(None), ("artifact", "round", "root_id", "pool_id", "funding"),
                    lambda a: (_h(a["artifact"]), a["round"], str(a["rootId"]), _h(a["poolId"]), str(a["funding"]))),
    "LifecycleTransition": (t.transitions, None, ("artifact", "from_state", "to_state", "by", "triggered", "price", "round"),
                            lambda a: (_h(a["artifact"]), int(a["from"]), int(a["to"]), _a(a["by"]), a["triggered"], str(a["price"]), a["round"])),
    "Settlement": (settlements, None, ("artifact", "trader", "round", "amount", "payoff"),
                   lambda a: (_h(a["artifact"]), _a(a["trader"]), a["round"], str(a["amount"]), str(a["payoff"]))),
    "ReputationUpdated": (t.reputation, None, ("trader", "artifact", "round", "correct", "stake", "score"),
                          lambda a: (_a(a["trader"]), _h(a["artifact"]), a["round"], a["correct"], str(a["stake"]), str(a["score"]))),
    "BountyPosted": (t.bounties, t.bounties.c.kind == "posted", ("bounty_id", "artifact", "account", "amount", "expires_at"),
                     lambda a: (_h(a["id"]), _h(a["artifact"]), _a(a["funder"]), str(a["amount"]), a["expiresAt"])),
    "BountyPaid": (t.bounties, t.bounties.c.kind == "paid", ("bounty_id", "account", "amount", "weight"),
                   lambda a: (_h(a["id"]), _a(a["claimant"]), str(a["amount"]), str(a["weight"]))),
    "BountyDistributed": (t.bounties, t.bounties.c.kind == "distributed", ("bounty_id", "artifact", "account", "amount", "weight"),
                          lambda a: (_h(a["id"]), _h(a["artifact"]), _a(a["oracle"]), str(a["amount"]), str(a["totalWeight"]))),
    "BountyReclaimed": (t.bounties, t.bounties.c.kind == "reclaimed", ("bounty_id", "account", "amount"),
                        lambda a: (_h(a["id"]), _a(a["funder"]), str(a["amount"]))),
}


def _lower(row):
    return tuple(v.lower() if isinstance(v, str) and len(v) == 42 and v.startswith("0x") else v for v in row)


def test_every_history_row_is_its_chain_event(busy):
    """Each history table, kind by kind, holds exactly the chain's events of that kind (decoded
    again by ape, independently of the ledger's decoder), in chain order, value for value."""
    runner, exchange, registry, escrow, decoder, ledger, deployment = busy
    chain_events = events_of(exchange, registry, escrow)
    assert set(EXPECTED) >= {name for name in PROJECTIONS if any(e.name == name for e in chain_events)}
    for name, (table, which, columns, expected) in EXPECTED.items():
        query = select(*(table.c[c] for c in columns)).where(table.c.deployment_id == deployment)
        if which is not None:
            query = query.where(which)
        with ledger.engine.connect() as db:
            rows = [_lower(r) for r in db.execute(query.order_by(table.c.block, table.c.log_index))]
        assert rows == [expected(e.args) for e in chain_events if e.name == name], name


def test_every_state_row_is_the_chains_state(busy):
    """Balances, positions, markets, the open book, pools, artifacts and scores as rewritten by a
    refresh equal the chain's views, row for row, and nothing the chain holds is missing."""
    from pmarket.orders import Order, TradeType

    runner, exchange, registry, escrow, decoder, ledger, deployment = busy
    for account, balance in _rows(ledger, deployment, balances):
        assert int(balance) == exchange.balance(account), account
    for name in runner.scenario.traders:
        who = runner.address(name)
        if exchange.balance(who):
            assert (who,) in [(r[0],) for r in _rows(ledger, deployment, balances)], name
    held = {(r[0], int(r[1]), r[2]): (int(r[3]), int(r[4])) for r in _rows(ledger, deployment, positions)}
    assert len(held) > 50
    for (who, root, branch), value in held.items():
        p = exchange.position(who, root, branch)
        assert (p.quantity, p.cost) == value
    for name in runner.scenario.traders:
        for root, branch in runner.markets:
            p = exchange.position(runner.address(name), root, branch)
            if p.quantity or p.cost:
                assert (runner.address(name), root, branch) in held

    markets = _rows(ledger, deployment, t.markets)
    assert len(markets) >= len(runner.markets)
    for root, branch, lo, hi, owner, outcome, frozen, managed in markets:
        bounds = exchange.bounds(int(root), branch)
        assert (int(lo), int(hi)) == (bounds.min, bounds.max)
        assert owner == exchange.root_info(int(root))[0]
        assert (outcome is not None) == (exchange.bounds(int(root), 1).min == exchange.bounds(int(root), 1).max)

    with ledger.engine.connect() as db:
        placed = db.execute(select(t.orders).where(t.orders.c.deployment_id == deployment)).all()
    book = {r[0]: r for r in _rows(ledger, deployment, t.book)}
    assert len(book) > 10
    for o in placed:
        order = Order(o.trader, int(o.root_id), o.branch_id, int(o.price), int(o.quantity), bytes.fromhex(o.previous[2:]),
                      int(o.trade_root_id), o.trade_branch_id, o.is_matched, TradeType(o.trade_type), int(o.expiry))
        assert "0x" + order.digest(exchange.domain).hex() == o.order_hash
        kind, _, remaining = exchange.order_state(order)
        row = book.get(o.order_hash)
        if kind in (TradeType.PRIMARY, TradeType.PARTIAL) and remaining:
            assert row is not None and abs(int(row[5])) == remaining and (int(row[5]) > 0) == (order.quantity > 0), o.order_hash
        else:
            assert row is None, o.order_hash

    maker = exchange.maker
    pools = maker.pools()
    states = {r[0]: r for r in _rows(ledger, deployment, t.pool_state)}
    assert len(states) == len(pools) > 10
    for key in pools:
        _, root, branch, q_long, q_short, is_open, long, short, forward = states["0x" + key.id.hex()]
        assert (int(q_long), int(q_short), is_open) == maker.pool_state(key)
        assert (int(long), int(short)) == maker.prices(key)
        assert int(forward) == maker.forward_price(key)

    (reg, artifact, state, round_, is_open, reserve, root, pool), = _rows(ledger, deployment, t.artifact_state)
    info = registry.info("paper")
    assert (reg, artifact, state, round_, is_open, int(reserve), int(root), pool) == (
        registry.address, "0x" + info.artifact.hex(), int(info.state), info.round, info.open, info.reserve, info.root_id,
        "0x" + info.pool_id.hex())
    scores = _rows(ledger, deployment, t.scores)
    assert {r[1] for r in scores} == {runner.address("ann"), runner.address("bob")}
    for _, trader, correct, incorrect, correct_stake, total_stake, score in scores:
        rep, chain_score = registry.reputation(trader)
        assert (correct, incorrect, int(correct_stake), int(total_stake), int(score)) == (
            rep.correct, rep.incorrect, rep.correct_stake, rep.total_stake, chain_score)


ALL_TABLES = (events, settlements, *t.HISTORY, balances, positions, *t.STATE)


def test_export_then_import_gives_the_identical_index(busy, tmp_path, project):
    """Every table, history and state, row for row, after export -> import (no RPC) -> refresh."""
    from pmarket.ledger.archive import decoder_of, export, import_file
    from pmarket.ledger.state import refresh

    _, _, _, _, _, ledger, deployment = busy
    path = tmp_path / "busy.jsonl"
    header = export(ledger, deployment, path)
    fresh = Ledger(f"sqlite:///{tmp_path / 'imported.db'}")
    decoder = decoder_of(header, project)
    again = import_file(path, fresh, decoder)
    assert refresh(fresh, again, decoder) == []
    for table in ALL_TABLES:
        assert _rows(fresh, again, table) == _rows(ledger, deployment, table), table.name


def test_the_clients_calls_answer_the_same_from_the_index(busy):
    """With an index attached, the maker's pool list, the exchange's node and the registry's
    history and traders come from the database, equal to what the logs give."""
    runner, exchange, registry, escrow, decoder, ledger, deployment = busy
    maker = exchange.maker
    pools, node = maker.pools(), exchange.node()
    root = registry.info("paper").root_id
    traders, history = registry.traders_of(root), registry.settlement_history()
    exchange.use_index(ledger, deployment)
    registry.use_index(ledger, deployment)
    try:
        assert maker.pools() == pools
        indexed = exchange.node()
        assert indexed.discrepancies == node.discrepancies == []
        assert indexed.node.s.balances == node.node.s.balances and indexed.node.s.positions == node.node.s.positions
        assert registry.traders_of(root) == traders != []
        assert registry.settlement_history() == history != []
    finally:
        exchange.index = registry.index = None


def test_the_http_api_serves_markets_books_portfolios_pools_artifacts_and_reputation(busy):
    """A real server over the busy index, a real HTTP client; each answer checked against the chain."""
    import requests

    from pmarket.ledger.api import create_app

    from .served import served

    runner, exchange, registry, escrow, decoder, ledger, deployment = busy
    get = lambda base, path, **params: requests.get(f"{base}{path}", params=params, timeout=30)  # noqa: E731
    with served(create_app(ledger, deployment)) as base:
        markets = get(base, "/api/markets").json()
        assert len(markets) >= len(runner.markets)
        root, branch = int(markets[0]["root_id"]), markets[0]["branch_id"]
        assert int(markets[0]["min"]) == exchange.bounds(root, branch).min
        assert get(base, "/api/markets", root_id=hex(root)).json() == [m for m in markets if m["root_id"] == str(root)]

        with ledger.engine.connect() as db:
            busiest = db.execute(select(t.book.c.root_id, t.book.c.branch_id).where(t.book.c.deployment_id == deployment)).first()
        book = get(base, f"/api/markets/{busiest.root_id}/{busiest.branch_id}/book").json()
        sides = book["bids"] + book["asks"]
        assert sides and all(int(o["remaining"]) > 0 for o in book["bids"]) and all(int(o["remaining"]) < 0 for o in book["asks"])
        assert [int(o["price"]) for o in book["bids"]] == sorted((int(o["price"]) for o in book["bids"]), reverse=True)
        assert [int(o["price"]) for o in book["asks"]] == sorted(int(o["price"]) for o in book["asks"])
        if book["bids"]:
            assert book["best_bid"] == book["bids"][0]["price"]

        ann = runner.address("ann")
        portfolio = get(base, f"/api/traders/{ann}/portfolio").json()
        assert int(portfolio["balance"]) == exchange.balance(ann)
        for p in portfolio["positions"]:
            chain_p = exchange.position(ann, int(p["root_id"]), p["branch_id"])
            assert (int(p["quantity"]), int(p["cost"])) == (chain_p.quantity, chain_p.cost)
            if p["mark"] is not None:
                assert int(p["unrealised"]) == (chain_p.quantity * int(p["mark"]) - chain_p.cost) // 10**18
        claims = [e for e in events_of(exchange) if e.name == "Claimed" and e.args["trader"] == ann]
        assert int(portfolio["realised"]) == sum(int(e.args["payoff"]) for e in claims)
        assert get(base, "/api/traders/0x12/portfolio").status_code == 422

        orders = get(base, "/api/orders", trader=ann, limit=10_000).json()
        assert orders and {o["trader"] for o in orders} == {ann}
        assert len(orders) == sum(1 for e in events_of(exchange) if e.name == "OrderAdded" and e.args["trader"] == ann)
        first = orders[-1]["order_hash"]
        assert all(first in (m["bid_hash"], m["ask_hash"]) for m in get(base, "/api/matches", order_hash=first).json())
        trades = get(base, "/api/trades", trader=ann, limit=10_000).json()
        assert {tr["trader"] for tr in trades} <= {ann}

        pools = get(base, "/api/pools").json()
        assert len(pools) == len(exchange.maker.pools())
        key = exchange.maker.pools()[0]
        entry = next(p for p in pools if p["pool_id"] == "0x" + key.id.hex())
        assert (int(entry["price_long"]), int(entry["price_short"])) == exchange.maker.prices(key)

        paper = "0x" + registry.info("paper").artifact.hex()
        artifact = get(base, f"/api/artifacts/{paper}").json()
        assert artifact["state"] == int(registry.info("paper").state)
        assert [x["to_state"] for x in artifact["transitions"]] == [int(r.state) for r in registry.history("paper")]
        assert get(base, f"/api/artifacts/0x{'00' * 32}").status_code == 404
        assert get(base, "/api/artifacts/paper").status_code == 422
        scores = get(base, "/api/reputation").json()
        assert [int(s["score"]) for s in scores] == sorted((int(s["score"]) for s in scores), reverse=True)
        mine = get(base, "/api/reputation", trader=ann).json()
        assert int(mine[0]["score"]) == registry.reputation(ann)[1] and mine[0]["history"]
        assert {b["kind"] for b in get(base, "/api/bounties").json()} >= {"posted", "distributed", "paid", "reclaimed"}
        assert "/api/markets/{root_id}/{branch_id}/book" in get(base, "/openapi.json").json()["paths"]


def test_the_busy_index_on_postgresql_equals_sqlite_row_for_row(busy, tmp_path):
    """The same sync and refresh into a real PostgreSQL server: every table equals SQLite's."""
    from ape import chain

    from pmarket.ledger.state import header_of, refresh

    from .postgres import postgres_server

    runner, exchange, registry, escrow, decoder, ledger, deployment = busy
    header = header_of(ledger, deployment)
    with postgres_server() as url:
        pg = Ledger(url)
        ours = pg.follow(chain.chain_id, exchange.address, exchange.start_block, maker=exchange.maker.address,
                         artifacts=registry.address, bounties=escrow.address, config=header["config"])
        pg.sync(LogSource(chain.provider.web3.provider.make_request), ours, decoder, confirmations=0,
                to_block=ledger.next_block(deployment) - 1)
        assert refresh(pg, ours, decoder) == []
        for table in ALL_TABLES:
            assert _rows(pg, ours, table) == _rows(ledger, deployment, table), table.name
        pg.engine.dispose()
