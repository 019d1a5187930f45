"""pmarket's main job: a short market session on an embedded Anvil, told as it happens.

``make demo`` (or ``ape run demo --network ethereum:local:foundry``): deploys a collateral token and
the Exchange, defines a market and a sub-market, has an oracle narrow the root through a relayed
signed definition, funds two traders, relays their wallet-signed orders, matches them, shows the
collateral check at work and every refusal by name, cancels, trades with an LMSR pool, settles the
root, pays the claims
through the root's pot, rebuilds the whole state in an independent node from the events, and
prints the ledger.
"""

from __future__ import annotations

from typing import Any, Callable

import click
from ape.cli import ConnectedProviderCommand
from rich.console import Console
from rich.table import Table

from pmarket import errors
from pmarket.exchange import Exchange
from pmarket.matching import Leg, MatchRequest
from pmarket.orders import Order
from pmarket.wad import format_wad

ROOT = 2026  # "the outcome x of root 2026" -- e.g. a price index at year end, bounded to [0, 100]


def refused(console: Console, what: str, action: Callable[[], Any]) -> None:
    from scripts._common import quiet_stdout

    try:
        with quiet_stdout():
            action()
    except errors.ContractError as err:
        console.print(f"  [red]refused[/red] {what}: [bold]{err}[/bold]")
    else:
        raise SystemExit(f"demo: expected a refusal for {what}")


def bounds_text(exchange: Exchange, branch: int) -> str:
    b = exchange.bounds(ROOT, branch)
    return f"[{format_wad(b.min)}, {format_wad(b.max)}]"


@click.command(cls=ConnectedProviderCommand, short_help="Run a short pmarket session")
def cli(network) -> None:
    from ape import accounts, chain

    from ape.logging import logger

    logger.set_level("WARNING")  # the session below says what happens; skip ape's per-tx INFO lines
    console = Console(highlight=False)
    if not network.is_local:
        raise click.UsageError("the demo runs on a local network (it mints test tokens)")
    owner, oracle, alice, bob, relayer, carol = accounts.test_accounts[:6]
    console.rule("[bold]pmarket demo")
    exchange = Exchange.deploy(sender=owner)
    console.print(f"Exchange {exchange.address} on chain {chain.chain_id}, collateral pUSD (6 decimals)")

    console.rule("markets")
    exchange.define(ROOT, 1, "0", "100", sender=owner)
    exchange.define(ROOT, 2, "20", "60", sender=owner)
    console.print(f"root {ROOT} (owner {owner.address[:10]}): {bounds_text(exchange, 1)}")
    console.print(f"sub-market {ROOT}/2: {bounds_text(exchange, 2)}")
    exchange.set_oracle(ROOT, oracle, sender=owner)
    exchange.define_by_sig(oracle, ROOT, 1, "10", "90", sender=relayer)
    console.print(f"oracle's signed narrowing to [10, 90], relayed by {relayer.address[:10]}: "
                  f"root {bounds_text(exchange, 1)}, sub-market {bounds_text(exchange, 2)}")
    refused(console, "a stranger narrowing the root", lambda: exchange.define(ROOT, 1, "0", "50", sender=alice))
    refused(console, "an inverted definition", lambda: exchange.define(ROOT, 1, "60", "40", sender=owner))

    console.rule("collateral")
    for trader, amount in ((alice, "5000"), (bob, "3000")):
        exchange.token.mint(trader.address, exchange.token_units(amount), sender=trader)
        exchange.deposit(amount, sender=trader)
        console.print(f"{trader.address[:10]} deposited {amount} pUSD -> balance {format_wad(exchange.balance(trader))}")
    exchange.withdraw("500.0000001", sender=bob)
    console.print(f"bob withdrew 500.0000001 -> only whole token units move: balance {format_wad(exchange.balance(bob))}")

    console.rule("orders")
    bid = exchange.sign_limit(alice, ROOT, 1, "42.5", "10")
    exchange.place(bid, sender=relayer)
    console.print(f"alice bids 10 @ 42.5 on {ROOT}/1, relayed: order {bid.hash.hex()[:16]}...")
    offer = exchange.sign_limit(bob, ROOT, 2, "55", "-4")
    exchange.place(offer, sender=relayer)
    console.print(f"bob offers 4 @ 55 on {ROOT}/2: order {offer.hash.hex()[:16]}...")
    follow = exchange.sign_limit(alice, ROOT, 2, "30", "2")
    exchange.place(follow)
    console.print(f"alice's next order chains to her previous one: previous={follow.order.previous.hex()[:16]}...")
    refused(console, "a price outside the sub-market", lambda: exchange.place(exchange.sign_limit(alice, ROOT, 2, "61", "1")))
    stale = Order.limit(alice, ROOT, 1, "40", "1", previous=bid.hash).sign(alice, exchange.domain)
    refused(console, "an order signed off a stale link", lambda: exchange.place(stale))
    forged = Order.limit(alice, ROOT, 1, "40", "1", previous=exchange.chain_head(alice)).sign(bob, exchange.domain)
    refused(console, "bob signing in alice's name", lambda: exchange.place(forged, sender=bob))
    refused(console, "the same order twice", lambda: exchange.place(bid, sender=relayer))
    refused(console, "re-bounding a traded sub-market", lambda: exchange.define(ROOT, 2, "25", "50", sender=owner))

    console.rule("matching and the collateral check")
    ask = exchange.sign_limit(bob, ROOT, 1, "40", "-6")
    exchange.place(ask)
    exchange.match(MatchRequest(Leg(bid.order), Leg(ask.order), exchange.token_units("6") * 10**12), sender=relayer)
    console.print("bob offers 6 @ 40; anyone matches it with alice's bid: 6 trade at 42.5, the limit of the "
                  "order that came first")
    for name, trader in (("alice", alice), ("bob", bob)):
        worst, balance = exchange.worst_case(trader)
        console.print(f"  {name}: balance {format_wad(balance)}, worst case over every outcome and every fill "
                      f"of the open orders {format_wad(worst)}")
    worst, balance = exchange.worst_case(alice)
    too_much = format_wad(balance + worst + 10 ** (18 - exchange.decimals))
    refused(console, f"alice withdrawing {too_much} (one token unit more than her worst case leaves)",
            lambda: exchange.withdraw(too_much, sender=alice))
    refused(console, "bob offering what he could not cover",
            lambda: exchange.place(exchange.sign_limit(bob, ROOT, 1, "10", "-1000")))
    exchange.cancel(alice, bid.order)
    console.print(f"alice cancels the rest of her bid with a signed offset: worst case {format_wad(exchange.worst_case(alice)[0])}")
    replay = exchange.node()
    agrees = all(replay.node.worst_case(t.address) == exchange.worst_case(t) for t in (alice, bob))
    console.print(f"an independent node rebuilt from {replay.applied} events, every signature and check redone: "
                  f"{len(replay.discrepancies)} discrepancies; node agrees on every worst case: {agrees}")

    console.rule("market maker (LMSR)")
    maker = exchange.maker
    exchange.token.mint(carol.address, exchange.token_units("1000"), sender=carol)
    exchange.deposit("1000", sender=carol)
    pool = maker.create_pool(ROOT, b=200, sender=carol)
    console.print(f"carol funds a pool on root {ROOT} with b = 200 shares: it locks ceil(200 ln 2) = "
                  f"{format_wad(maker.funding_for(200))}; a long share pays (x - 10)/80, a short one the rest")
    console.print(f"  prices {_prices(maker, pool)}, forward price {format_wad(maker.forward_price(pool))}")
    cost, _, quantity = maker.quote(pool, "long", 100)
    maker.buy(pool, "long", 100, max_cost=format_wad(cost), sender=alice)
    console.print(f"alice buys 100 long shares for {format_wad(cost)} (quoted, exactly what she paid): a long "
                  f"forward of {format_wad(quantity)} against the pool; prices now {_prices(maker, pool)}")
    refused(console, "bob buying 100 short for at most 40", lambda: maker.buy(pool, "short", 100, max_cost="40", sender=bob))
    maker.sell(pool, "long", 40, sender=bob)
    console.print(f"bob sells 40 long shares he does not hold (a short forward, checked like any other): "
                  f"prices {_prices(maker, pool)}")
    low = exchange.sign_limit(bob, ROOT, 1, "58", "1")
    exchange.place(low)
    refused(console, f"filling bob's bid of 1 @ 58 against the pool (forward price {format_wad(maker.forward_price(pool))})",
            lambda: maker.fill(pool, low.order, "1", sender=relayer))
    resting = exchange.sign_limit(bob, ROOT, 1, "62", "1")
    exchange.place(resting)
    before = exchange.position(bob, ROOT, 1).cost
    maker.fill(pool, resting.order, "1", sender=relayer)
    average = (exchange.position(bob, ROOT, 1).cost - before) // 10**18
    console.print(f"bob's bid of 1 @ 62 is filled by a relayer at the LMSR cost: an average price of "
                  f"{format_wad(average)}, within his limit")
    exchange.set_frozen(ROOT, sender=owner)
    refused(console, "a pool trade while the owner has frozen the root", lambda: maker.buy(pool, "long", 1, sender=alice))
    exchange.set_frozen(ROOT, False, sender=owner)
    console.print(f"pool's funding left (balance + worst case): {format_wad(maker.funding_left(pool))} "
                  f"of {format_wad(maker.funding_for(200))}: it can never fall below 0")

    console.rule("settlement")
    exchange.settle(ROOT, "75", sender=oracle)
    console.print(f"oracle settles root {ROOT} at 75: root {bounds_text(exchange, 1)}, "
                  f"sub-market {bounds_text(exchange, 2)} (= clamp(75, 20, 60))")
    refused(console, "an order in a settled market", lambda: exchange.place(exchange.sign_limit(bob, ROOT, 1, "75", "1")))
    refused(console, "alice claiming before bob's loss is in the pot", lambda: exchange.claim(alice, ROOT))
    exchange.claim_many(ROOT, [alice, bob, pool.account], sender=relayer)
    console.print(f"claim_many pays the losses into the pot first, then the gains out of it (the pool is claimed "
                  f"like anyone): alice {format_wad(exchange.balance(alice))}, bob {format_wad(exchange.balance(bob))}, "
                  f"pot {format_wad(exchange.pot(ROOT))}")
    maker.claim_pool(pool, sender=relayer)
    console.print(f"claim_pool pays carol what is left of her pool: carol {format_wad(exchange.balance(carol))}")
    held = exchange.token.balanceOf(exchange.address) * 10 ** (18 - exchange.decimals)
    total = sum(exchange.balance(who) for who in (alice, bob, carol, pool.account)) + exchange.pot(ROOT)
    console.print(f"vault holds {format_wad(held)} = balances + pot: {held == total}")

    console.rule("ledger (events)")
    table = Table("block", "event", "details")
    for log in exchange.events():
        table.add_row(str(log.block_number), log.event_name, _short(log.event_arguments))
    console.print(table)


def _prices(maker: Any, pool: Any) -> str:
    long, short = maker.prices(pool)
    return f"long {format_wad(long)} / short {format_wad(short)}"


def _short(args: dict) -> str:
    shown = []
    for key, value in args.items():
        if key in ("order", "signature"):
            continue
        text = "0x" + bytes(value).hex()[:12] + "…" if isinstance(value, (bytes, bytearray)) else str(value)
        shown.append(f"{key}={text[:24]}")
    return ", ".join(shown)
