"""Run a scenario on a backend and report the outcome as JSON-ready data.

The runner signs every order, Partial, Offset and Reduction itself with the traders' test keys
(the accounts of ape's test mnemonic), so both backends see byte-identical orders.
"""

from __future__ import annotations

from decimal import Decimal, localcontext
from functools import lru_cache
from typing import Any, Optional

from eth_account import Account
from eth_keys import keys

from .. import errors
from ..lmsr.pool import funding
from ..maker import PoolKey
from ..matching import Leg, MatchRequest, offset_of, reduction_of
from ..orders import Order, SignedOrder, TradeType
from ..node.verify import order_digest
from .artifact_actions import ArtifactActions
from .backends import Backend
from .model import ARTIFACT_ACTIONS, DEPLOYER, Action, MatchSpec, Scenario, ScenarioError, match_spec

MNEMONIC = "test test test test test test test test test test test junk"


@lru_cache(maxsize=None)
def test_key(index: int) -> Any:
    """The key of ape's test account ``index`` (``m/44'/60'/0'/0/index`` of the test mnemonic)."""
    Account.enable_unaudited_hdwallet_features()
    return Account.from_mnemonic(MNEMONIC, account_path=f"m/44'/60'/0'/0/{index}")


class Runner(ArtifactActions):
    """Plays a :class:`Scenario` on one backend and keeps what the report needs."""

    def __init__(self, scenario: Scenario, backend: Backend) -> None:
        self.scenario = scenario
        self.backend = backend
        self.keys = {DEPLOYER: test_key(0)}
        for i, name in enumerate(scenario.traders, start=1):
            self.keys[name] = test_key(i)
        self.orders: dict[str, SignedOrder] = {}
        self.owner_of: dict[str, str] = {}
        self.markets: list[tuple[int, int]] = []
        self.pools: dict[str, PoolKey] = {}
        self.results: list[dict[str, Any]] = []
        self._init_artifacts()

    def address(self, name: str) -> str:
        return self.keys[name].address

    def _sign(self, name: str, order: Order) -> SignedOrder:
        """Sign with the trader's test key over the directly computed EIP-712 digest (the same bytes
        as :meth:`Order.sign`, much faster; a test checks both)."""
        domain = self.backend.domain
        digest = order_digest(order, domain.chain_id, domain.verifying_contract)
        sig = keys.PrivateKey(bytes(self.keys[name].key)).sign_msg_hash(digest)
        return SignedOrder(order, sig.to_bytes()[:64] + bytes([sig.v + 27]), digest)

    def run(self) -> dict[str, Any]:
        try:
            for index, action in enumerate(self.scenario.actions):
                try:
                    extra = self._apply(index, action)
                    self.results.append({"ok": True, **(extra or {})})
                except errors.ContractError as err:
                    extra = self._refusal_values(err) if action.do == "trigger" else {}
                    self.results.append({"ok": False, "error": err.name, **extra})
            return self.report()
        finally:
            release = getattr(self.backend, "release", None)
            if release is not None:  # a chain gets its clock back
                release()

    # ---- actions -----------------------------------------------------------------------------
    def _apply(self, index: int, action: Action) -> Optional[dict[str, Any]]:
        a, b = action.args, self.backend
        who = self.address(a["by"]) if "by" in a else None
        if action.do in ARTIFACT_ACTIONS:
            return self._apply_artifact(index, action, who)
        if isinstance(a.get("root"), str):  # an artifact's name: its current market
            a = {**a, "root": self._artifact_root(index, a["root"])}
        if action.do == "define":
            if (a["root"], a["branch"]) not in self.markets:
                self.markets.append((a["root"], a["branch"]))
            b.define(who, a["root"], a["branch"], a["min"], a["max"])
        elif action.do == "settle":
            b.settle(who, a["root"], a["outcome"])
        elif action.do == "deposit":
            b.deposit(who, a["amount"])
        elif action.do == "withdraw":
            b.withdraw(who, a["amount"])
        elif action.do == "order":
            if a["id"] in self.orders:
                raise ScenarioError(f"action {index}: order id {a['id']!r} is used twice")
            order = Order(
                trader=who,
                market_root_id=a["root"],
                market_branch_id=a["branch"],
                price=a["price"],
                quantity=a["quantity"],
                previous=b.chain_head(who),
                trade_root_id=index + 1,
            )
            signed = self._sign(a["by"], order)
            self.orders[a["id"]], self.owner_of[a["id"]] = signed, a["by"]
            b.place(who, signed)
        elif action.do == "match":
            b.match(self._request(index, match_spec(action)))
        elif action.do == "batch":
            skipped = b.batch([self._request(index, m) for m in a["matches"]])
            return {"skipped": [{"index": i, "error": name} for i, name in skipped]}
        elif action.do in ("cancel", "reduce"):
            target = self._order(index, a["order"])
            if action.do == "cancel":
                dependent = offset_of(target.order, target.hash)
            else:
                dependent = reduction_of(target.order, target.hash, a["quantity"], 2 + index % 65533)
            signed = self._sign(a["by"], dependent)
            (b.cancel if action.do == "cancel" else b.reduce)(who, target, signed)
        elif action.do == "claim":
            b.claim(who, a["root"])
        elif action.do == "claim_many":
            everyone = [self.address(n) for n in self.scenario.traders]
            # Pools are participants too: their accounts are claimed with everyone's.
            everyone += [k.account for k in self.pools.values() if k.root_id == a["root"] and b.pool_state(k)]
            skipped = b.claim_many(who, a["root"], everyone)
            return {"skipped": [{"trader": self._name(t), "error": name} for t, name in skipped]}
        elif action.do in ("freeze", "unfreeze"):
            b.set_frozen(who, a["root"], action.do == "freeze")
        else:
            return self._apply_pool(index, action, who)
        return None

    def _apply_pool(self, index: int, action: Action, who: Optional[str]) -> Optional[dict[str, Any]]:
        """The maker's actions. A pool's key is fixed when it is asked for (salt: the action's index),
        so later actions name the same pool on both backends even if its creation was refused."""
        a, b = action.args, self.backend
        if action.do == "pool":
            if a["id"] in self.pools:
                raise ScenarioError(f"action {index}: pool id {a['id']!r} is used twice")
            bounds = b.bounds(a["root"], a["branch"])
            lo, hi = (bounds.min, bounds.max) if bounds is not None else (0, 0)
            fee = a.get("fee", 0)
            self.pools[a["id"]] = PoolKey(a["root"], a["branch"], lo, hi, a["b"], fee, who, index)
            if (a["root"], a["branch"]) not in self.markets and bounds is not None:
                self.markets.append((a["root"], a["branch"]))
            b.create_pool(who, self.pools[a["id"]])
            return None
        key = self._pool(index, a["pool"])
        if action.do in ("buy", "sell"):
            buying = action.do == "buy"
            limit = a.get("limit", 2**255 - 1 if buying else 0)
            b.pool_trade(who, key, a["side"], a["shares"], limit, buying)
        elif action.do == "fill":
            b.pool_fill(who or self.address(DEPLOYER), key, self._order(index, a["order"]), a["quantity"])
        elif action.do == "close_pool":
            b.close_pool(who, key)
        elif action.do == "claim_pool":
            b.claim_pool(who, key)
        return None

    def _pool(self, index: int, pool_id: str) -> PoolKey:
        if pool_id not in self.pools and pool_id in self.artifacts:
            key = self._artifact_pool(pool_id)
            if key is None:
                raise ScenarioError(f"action {index}: artifact {pool_id!r} has no pool")
            return key
        if pool_id not in self.pools:
            raise ScenarioError(f"action {index}: no pool with id {pool_id!r} before it")
        return self.pools[pool_id]

    def _order(self, index: int, order_id: str) -> SignedOrder:
        if order_id not in self.orders:
            raise ScenarioError(f"action {index}: no order with id {order_id!r} before it")
        return self.orders[order_id]

    def _request(self, index: int, m: MatchSpec) -> MatchRequest:
        legs = []
        for order_id, spec in ((m.bid, m.bid_partial), (m.ask, m.ask_partial)):
            signed = self._order(index, order_id)
            partial = None
            if spec is not None:
                o = signed.order
                pf = Order(
                    trader=o.trader,
                    market_root_id=o.market_root_id,
                    market_branch_id=o.market_branch_id,
                    price=spec.price,
                    quantity=spec.quantity if o.quantity > 0 else -spec.quantity,
                    previous=o.previous,
                    trade_root_id=o.trade_root_id,
                    trade_branch_id=2,
                    trade_type=TradeType.PARTIAL,
                )
                partial = self._sign(self.owner_of[order_id], pf)
            legs.append(Leg(signed.order, partial))
        return MatchRequest(legs[0], legs[1], m.quantity, m.price)

    def _name(self, address: str) -> str:
        pools = {k.account.lower(): f"pool {n}" for n, k in {**self.pools, **self.round_pools}.items()}
        if address.lower() in pools:
            return pools[address.lower()]
        return next((n for n, k in self.keys.items() if k.address.lower() == address.lower()), address)

    # ---- report ------------------------------------------------------------------------------
    def report(self) -> dict[str, Any]:
        b = self.backend
        markets = {}
        settled = set()
        for root, branch in sorted(self.markets):
            bounds = b.bounds(root, branch)
            if bounds is not None:
                markets[self._label(root, branch)] = {"min": wad_str(bounds.min), "max": wad_str(bounds.max)}
                if branch == 1 and bounds.is_point:
                    settled.add(root)
        traders = {}
        for name in self.scenario.traders:
            who = self.address(name)
            balance = b.balance(who)
            positions = {}
            for root, branch in sorted(self.markets):
                if self._label(root, branch) not in markets:
                    continue
                p = b.position(who, root, branch)
                if p.quantity or p.cost:
                    positions[self._label(root, branch)] = {"quantity": wad_str(p.quantity), "cost": wad_str(p.cost, 36)}
            open_ids = [
                oid
                for oid, signed in self.orders.items()
                if self.owner_of[oid] == name
                and signed.order.market_root_id not in settled
                and b.remaining(signed) > 0
            ]
            traders[name] = {
                "address": who,
                "balance": wad_str(balance),
                "worst": wad_str(balance + b.worst(who)),
                "positions": positions,
                "open_orders": open_ids,
            }
        pots = {self.labels.get(r, str(r)): wad_str(b.pot(r)) for r in sorted(settled)}
        out = {"results": self.results, "traders": traders, "markets": markets, "pots": pots}
        if self.pools or self.round_pools:
            out["pools"] = self._pools_report()
        self._report_artifacts(out)
        return out

    def _label(self, root: int, branch: int) -> str:
        """A market's name in the report: ``root/branch``, or ``<artifact>#<round>`` for an artifact's."""
        return self.labels[root] if root in self.labels else f"{root}/{branch}"

    def _pools_report(self) -> dict[str, Any]:
        """Each pool that exists: liquidity, outstanding shares per side, marginal prices, funding
        locked and left (its balance plus its exact worst case), its position and whether it trades."""
        b, out = self.backend, {}
        for name, key in {**self.pools, **self.round_pools}.items():
            state = b.pool_state(key)
            if state is None:
                continue
            q_long, q_short, is_open = state
            long_price, short_price = b.prices(key)
            p = b.position(key.account, key.root_id, key.branch_id)
            out[name] = {
                "b": wad_str(key.b),
                "market": self._label(key.root_id, key.branch_id),
                "q_long": wad_str(q_long * (key.hi - key.lo), 36),
                "q_short": wad_str(q_short * (key.hi - key.lo), 36),
                "price_long": wad_str(long_price),
                "price_short": wad_str(short_price),
                "funding": wad_str(funding(key.b)),
                "funding_left": wad_str(b.balance(key.account) + b.worst(key.account)),
                "balance": wad_str(b.balance(key.account)),
                "position": {"quantity": wad_str(p.quantity), "cost": wad_str(p.cost, 36)},
                "open": is_open,
            }
        return out


def wad_str(value: int, decimals: int = 18) -> str:
    """An exact fixed-point integer as a plain decimal string ("12.5", "-0.000001", "0")."""
    with localcontext() as ctx:
        ctx.prec = 200  # exact for any int256
        text = format((Decimal(value) / Decimal(10) ** decimals).normalize(), "f")
    return "0" if text in ("0", "-0") else text


def diff(a: Any, b: Any, path: str = "") -> list[str]:
    """Every place two reports differ, as ``path: left != right`` lines."""
    if isinstance(a, dict) and isinstance(b, dict):
        out = []
        for key in list(a) + [k for k in b if k not in a]:
            out += diff(a.get(key, "<missing>"), b.get(key, "<missing>"), f"{path}/{key}")
        return out
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        return [line for i, (x, y) in enumerate(zip(a, b)) for line in diff(x, y, f"{path}[{i}]")]
    return [] if a == b else [f"{path}: {a!r} != {b!r}"]
