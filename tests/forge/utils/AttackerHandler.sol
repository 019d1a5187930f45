// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test} from "forge-std/Test.sol";

import {Artifacts} from "../../../contracts/Artifacts.sol";
import {State} from "../../../contracts/interfaces/IArtifacts.sol";
import {IExchange} from "../../../contracts/interfaces/IExchange.sol";
import {IMarkets} from "../../../contracts/interfaces/IMarkets.sol";
import {IOrders} from "../../../contracts/interfaces/IOrders.sol";
import {ISettlement} from "../../../contracts/interfaces/ISettlement.sol";
import {IMaker, PoolKey, Side} from "../../../contracts/interfaces/IMaker.sol";
import {Order} from "../../../contracts/libraries/OrderStructs.sol";
import {TestToken} from "../../../contracts/test/TestToken.sol";

/// @title AttackerHandler
/// @notice Two honest traders (alice, bob) trade a book root with a sub-market, a plain pool and an
/// artifact's market; an oracle posts lifecycle states; and mallory tries everything a stranger can
/// call: pools of every kind, trades, closes, fills and matches of others' signed orders, cancels
/// and placements with her own signature for them, claims, triggers and posts without a role.
/// @dev Before every call the handler takes each honest trader's fingerprint (balance, positions in
/// every market, chain head, what is left of each of their orders, claim flags) and, after it,
/// records a violation when a fingerprint changed that the call had no right to change: a trader's
/// own call or signature may change their own; a match or fill of orders they signed may change
/// their positions and those orders, and nothing else of theirs (balances stay, the position moves
/// by exactly the quantity taken off the order); a settlement, a trigger or an oracle's post may
/// change anyone's. Calls the contracts refuse change nothing, which is checked too.
contract AttackerHandler is Test {
    bytes32 public constant A = "attacked-artifact";
    uint256 public constant R = 7;
    uint256 internal constant UNIT = 1e12;

    IExchange internal immutable ex;
    IMaker internal immutable maker;
    TestToken internal immutable token;
    Artifacts internal immutable art;
    address internal immutable rootOwner;

    address[2] public honest;
    uint256[2] internal keys;
    address public immutable mallory;
    uint256 internal immutable malloryKey;

    PoolKey internal bookPool;
    PoolKey[] internal malloryPools;
    Order[] internal orders;
    uint256[] internal roots;
    uint256 internal nextTradeId = 1;

    /// @notice How many calls broke the rule (0 always), and the first one's name.
    uint256 public violations;
    string public firstViolation;
    /// @notice Calls that went through, by who made them.
    uint256 public honestCalls;
    uint256 public malloryCalls;
    uint256 public malloryRefused;
    uint256 public signedMatches;

    constructor(IExchange ex_, TestToken token_, Artifacts art_, address rootOwner_) {
        (ex, token, art, rootOwner) = (ex_, token_, art_, rootOwner_);
        maker = IMaker(ex_.maker());
        string[2] memory names = ["honest-alice", "honest-bob"];
        for (uint256 i; i < 2; ++i) {
            (honest[i], keys[i]) = makeAddrAndKey(names[i]);
            _deposit(honest[i], 1_000_000e6);
        }
        (mallory, malloryKey) = makeAddrAndKey("mallory");
        _deposit(mallory, 1_000_000e6);
        roots.push(R);
        (uint256 artRoot,) = art_.market(A);
        roots.push(artRoot);
        bookPool = maker.poolKey(keccak256(abi.encode(_bookPoolKey())));
    }

    function _bookPoolKey() internal view returns (PoolKey memory) {
        (int128 lo, int128 hi) = ex.bounds(R, 1);
        return PoolKey(R, 1, lo, hi, 50e18, 100, rootOwner, 0);
    }

    function _deposit(address who, uint256 units) internal {
        token.mint(who, units);
        vm.startPrank(who);
        token.approve(address(ex), type(uint256).max);
        ex.deposit(units);
        vm.stopPrank();
    }

    /*//////////////////////////////////////////////////////////////
                             HONEST TRADERS
    //////////////////////////////////////////////////////////////*/

    /// @notice An honest trader signs and places an order in the book root, its sub-market or the
    /// artifact's market.
    function honestPlace(uint256 who, uint256 market, uint256 price, int256 size) external {
        uint256 i = who % 2;
        (uint256 root, uint16 branch) = _market(market);
        (int128 lo, int128 hi) = _bounds(root, branch);
        if (lo == hi) return;
        int128 p = int128(int256(bound(price, uint256(int256(lo)), uint256(int256(hi)))));
        int128 q = int128(bound(size, -5e18, 5e18));
        if (q == 0) q = 1e18;
        Order memory o = _order(honest[i], root, branch, p, q);
        bytes memory call = abi.encodeCall(IOrders.placeOrder, (o, _sign(keys[i], o)));
        (bool ok,) = _run(i, Kind.Own, Target.Exchange, honest[i], call, _noOrder());
        if (ok) orders.push(o);
    }

    /// @notice An honest trader buys or sells on the plain pool or the artifact's.
    function honestPoolTrade(uint256 who, bool artifactPool, bool long_, bool buying, uint256 shares) external {
        uint256 i = who % 2;
        (bool ok, PoolKey memory key) = _poolFor(artifactPool);
        if (!ok) return;
        shares = bound(shares, 1e15, 10e18);
        Side side = long_ ? Side.Long : Side.Short;
        bytes memory call = buying
            ? abi.encodeCall(IMaker.buy, (key, side, shares, type(uint128).max, type(uint256).max))
            : abi.encodeCall(IMaker.sell, (key, side, shares, 0, type(uint256).max));
        _run(i, Kind.Own, Target.Maker, honest[i], call, _noOrder());
    }

    /// @notice An honest trader cancels one of their orders with a signed offset.
    function honestCancel(uint256 who, uint256 pick) external {
        uint256 i = who % 2;
        (bool found, Order memory o) = _orderOf(honest[i], pick);
        if (!found) return;
        Order memory f = _copy(o);
        (f.tradeBranchId, f.tradeType, f.quantity, f.previous) = (3, 3, -o.quantity, ex.hashOrder(o));
        bytes memory call = abi.encodeCall(IOrders.cancelOrder, (o, f, _sign(keys[i], f)));
        _run(i, Kind.Own, Target.Exchange, honest[i], call, _noOrder());
    }

    /// @notice A keeper (anyone) matches two honest traders' signed orders: a resting one, and one
    /// the other trader signs against it at its price.
    function keeperMatch(uint256 pick, uint256 size) external {
        (bool found, Order memory o) = _orderOf(address(0), pick);
        if (!found) return;
        uint256 j = o.trader == honest[0] ? 1 : 0;
        uint128 q = uint128(bound(size, 1, 20e18));
        Order memory other = _order(honest[j], o.marketRootId, o.marketBranchId, o.price, o.quantity > 0 ? -int128(q) : int128(q));
        bytes memory call = abi.encodeCall(IOrders.placeOrder, (other, _sign(keys[j], other)));
        (bool placed,) = _run(j, Kind.Own, Target.Exchange, honest[j], call, _noOrder());
        if (!placed) return;
        orders.push(other);
        (Order memory bid, Order memory ask) = o.quantity > 0 ? (o, other) : (other, o);
        _matchSigned(bid, ask, q, address(0xBEEF));
    }

    /// @notice The oracle posts a lifecycle state, the book root's owner settles it: settlements.
    function oraclePost(uint8 to) external {
        // Final states are rare, so runs keep trading through challenges, flags and new rounds.
        uint256 pick = bound(to, 0, 19);
        State s = pick < 6 ? State.Challenged : pick < 13 ? State.Listed : pick < 18 ? State.Flagged
            : pick == 18 ? State.Validated : State.Deprecated;
        _run(0, Kind.Settlement, Target.Artifacts, address(this), abi.encodeCall(Artifacts.transition, (A, s)), _noOrder());
        (uint256 root,) = art.market(A);
        if (root != roots[roots.length - 1]) roots.push(root);
    }

    function ownerSettle(uint256 outcome) external {
        if (outcome % 32 != 0) return; // rarely: the book root then stops trading
        bytes memory call = abi.encodeCall(IMarkets.settle, (R, int128(int256(bound(outcome, 0, 100e18)))));
        _run(0, Kind.Settlement, Target.Exchange, rootOwner, call, _noOrder());
    }

    function warp(uint256 secs) external {
        vm.warp(block.timestamp + bound(secs, 1 minutes, 40 days));
    }

    /*//////////////////////////////////////////////////////////////
                                MALLORY
    //////////////////////////////////////////////////////////////*/

    /// @notice Pools of every kind on every market: plain ones are anyone's (they trade with their
    /// callers only); tracked ones are the managed root's owner's alone.
    function malloryCreatesPool(uint256 market, bool tracked, uint96 b, uint16 fee) external {
        (uint256 root, uint16 branch) = _market(market);
        b = uint96(bound(b, 1e15, 100e18));
        fee = uint16(bound(fee, 0, 1000));
        bytes memory call = tracked
            ? abi.encodeCall(IMaker.createTrackedPool, (root, branch, b, fee, uint64(malloryPools.length), 1 days))
            : abi.encodeCall(IMaker.createPool, (root, branch, b, fee, uint64(malloryPools.length)));
        (bool ok, bytes memory ret) = _run(0, Kind.Stranger, Target.Maker, mallory, call, _noOrder());
        if (ok) malloryPools.push(maker.poolKey(abi.decode(ret, (bytes32))));
    }

    /// @notice Mallory trades on any pool, hers or not, to move its price.
    function malloryTrades(uint256 pick, bool long_, bool buying, uint256 shares) external {
        PoolKey memory key = _anyPool(pick);
        shares = bound(shares, 1e15, 500e18);
        Side side = long_ ? Side.Long : Side.Short;
        bytes memory call = buying
            ? abi.encodeCall(IMaker.buy, (key, side, shares, type(uint128).max, type(uint256).max))
            : abi.encodeCall(IMaker.sell, (key, side, shares, 0, type(uint256).max));
        _run(0, Kind.Stranger, Target.Maker, mallory, call, _noOrder());
    }

    /// @notice Mallory closes an honest trader's position through any pool, or her own through the
    /// registry; closes pools and claims them.
    function malloryCloses(uint256 pick, uint256 victim, uint8 how) external {
        PoolKey memory key = _anyPool(pick);
        bytes memory call;
        Target target = Target.Maker;
        uint256 h = how % 4;
        if (h == 0) call = abi.encodeCall(IMaker.closeFor, (key, honest[victim % 2]));
        else if (h == 1) (call, target) = (abi.encodeCall(Artifacts.close, (A)), Target.Artifacts);
        else if (h == 2) call = abi.encodeCall(IMaker.closePool, (key));
        else call = abi.encodeCall(IMaker.claimPool, (key));
        _run(0, Kind.Stranger, target, mallory, call, _noOrder());
    }

    /// @notice Mallory signs orders, cancels and placements for honest traders with her own key, or
    /// replays an honest trader's signed order.
    function malloryForges(uint256 pick, uint8 how) external {
        (bool found, Order memory o) = _orderOf(address(0), pick);
        if (!found) return;
        bytes memory call;
        uint256 h = how % 3;
        if (h == 0) {
            Order memory f = _copy(o);
            (f.tradeBranchId, f.tradeType, f.quantity, f.previous) = (3, 3, -o.quantity, ex.hashOrder(o));
            call = abi.encodeCall(IOrders.cancelOrder, (o, f, _sign(malloryKey, f)));
        } else if (h == 1) {
            Order memory n = _order(o.trader, o.marketRootId, o.marketBranchId, o.price, o.quantity);
            call = abi.encodeCall(IOrders.placeOrder, (n, _sign(malloryKey, n)));
        } else {
            call = abi.encodeCall(IOrders.placeOrder, (o, _sign(keys[o.trader == honest[0] ? 0 : 1], o)));
        }
        _run(0, Kind.Stranger, Target.Exchange, mallory, call, _noOrder());
    }

    /// @notice Mallory takes an honest trader's signed order: her own order against it, or a pool's
    /// fill. The owner signed it, so their position may move, by what the order gives and no more.
    function malloryTakes(uint256 pick, uint256 size, bool viaPool, uint256 poolPick) external {
        (bool found, Order memory o) = _orderOf(address(0), pick);
        if (!found) return;
        uint128 q = uint128(bound(size, 1, 20e18));
        if (viaPool) {
            PoolKey memory key = _anyPool(poolPick);
            bytes memory call = abi.encodeCall(IMaker.fill, (key, o, q));
            _run(0, Kind.Signed, Target.Maker, mallory, call, o);
            return;
        }
        Order memory mine = _order(mallory, o.marketRootId, o.marketBranchId, o.price, o.quantity > 0 ? -int128(q) : int128(q));
        (bool placed,) =
            _run(0, Kind.Stranger, Target.Exchange, mallory, abi.encodeCall(IOrders.placeOrder, (mine, _sign(malloryKey, mine))), _noOrder());
        if (!placed) return;
        (Order memory bid, Order memory ask) = o.quantity > 0 ? (o, mine) : (mine, o);
        _matchSigned(bid, ask, q, mallory);
    }

    /// @notice Claims and settlement batches for others, triggers and posts without the role.
    function mallorySettles(uint256 victim, uint8 how, uint8 to) external {
        address v = honest[victim % 2];
        uint256 h = how % 5;
        if (h == 0) {
            _run(0, Kind.Settlement, Target.Exchange, mallory, abi.encodeCall(ISettlement.claimFor, (v, R)), _noOrder());
        } else if (h == 1) {
            address[] memory list = new address[](2);
            (list[0], list[1]) = (honest[0], honest[1]);
            bytes memory call = abi.encodeCall(Artifacts.settle, (A, bound(to, 0, roots.length - 2), list));
            _run(0, Kind.Settlement, Target.Artifacts, mallory, call, _noOrder());
        } else if (h == 2) {
            bytes memory call = abi.encodeCall(Artifacts.trigger, (A, State(bound(to, 2, 5))));
            _run(0, Kind.Settlement, Target.Artifacts, mallory, call, _noOrder());
        } else if (h == 3) {
            bytes memory call = abi.encodeCall(Artifacts.transition, (A, State(bound(to, 1, 5))));
            _run(0, Kind.Stranger, Target.Artifacts, mallory, call, _noOrder());
        } else {
            (uint256 root,) = art.market(A);
            _run(0, Kind.Stranger, Target.Exchange, mallory, abi.encodeCall(IMarkets.setFrozen, (root, true)), _noOrder());
        }
    }

    /*//////////////////////////////////////////////////////////////
                               THE CHECK
    //////////////////////////////////////////////////////////////*/

    enum Kind {
        Own, // the caller is honest trader `actor`: only theirs may change
        Signed, // a match or fill of the given signed order(s): only their owners' positions and orders
        Settlement, // a settlement, trigger or oracle post: anything may change
        Stranger // mallory's own business: no honest fingerprint may change
    }

    enum Target {
        Exchange,
        Maker,
        Artifacts
    }

    /// @dev Run `call` as `from` with the fingerprints checked; returns its result.
    function _run(uint256 actor, Kind kind, Target target, address from, bytes memory call, Order memory signed)
        internal
        returns (bool ok, bytes memory ret)
    {
        bytes32[2] memory before = [_fingerprint(honest[0]), _fingerprint(honest[1])];
        bytes32[2] memory money = [_money(honest[0]), _money(honest[1])];
        int256[2] memory q0 = [_quantity(honest[0], signed), _quantity(honest[1], signed)];
        uint128 rem0 = _remainingOf(signed);
        address to = target == Target.Exchange ? address(ex) : target == Target.Maker ? address(maker) : address(art);
        vm.prank(from);
        (ok, ret) = to.call(call);
        if (from == mallory) ok ? ++malloryCalls : ++malloryRefused;
        else if (ok) ++honestCalls;
        if (!ok || kind == Kind.Settlement) return (ok, ret);
        for (uint256 i; i < 2; ++i) {
            if (_fingerprint(honest[i]) == before[i]) continue;
            if (kind == Kind.Own && i == actor) continue;
            if (kind == Kind.Signed && signed.trader == honest[i]) {
                // What the order lost is what the position gained, in its direction.
                uint128 taken = rem0 - _remainingOf(signed);
                int256 moved = _quantity(honest[i], signed) - q0[i];
                bool exact = moved == (signed.quantity > 0 ? int256(uint256(taken)) : -int256(uint256(taken)));
                if (exact && _money(honest[i]) == money[i]) continue;
            }
            _violate(kind, target, call);
        }
    }

    /// @dev What a match may move of one signed order's owner.
    struct Side_ {
        int256 quantity;
        uint128 remaining;
        bytes32 money;
    }

    function _sideOf(Order memory o) internal view returns (Side_ memory) {
        return Side_(_quantity(o.trader, o), _remainingOf(o), _money(o.trader));
    }

    /// @dev Whether `o`'s owner moved by exactly `q` in the order's direction (when they are not on
    /// both sides), `q` came off the order, and their balance and chain stayed.
    function _tookExactly(Order memory o, Side_ memory before, uint128 q, bool bothSides) internal view returns (bool) {
        Side_ memory now_ = _sideOf(o);
        int256 signedQ = o.quantity > 0 ? int256(uint256(q)) : -int256(uint256(q));
        bool moved = bothSides || now_.quantity - before.quantity == signedQ;
        return moved && before.remaining - now_.remaining == q && (bothSides || now_.money == before.money);
    }

    /// @dev A match of two signed orders: each owner's position moves by the matched quantity.
    function _matchSigned(Order memory bid, Order memory ask, uint128 q, address by) internal {
        bytes32[2] memory before = [_fingerprint(honest[0]), _fingerprint(honest[1])];
        Side_ memory b0 = _sideOf(bid);
        Side_ memory a0 = _sideOf(ask);
        vm.prank(by);
        try ex.matchPair(bid, ask, q) {
            ++signedMatches;
        } catch {
            if (_fingerprint(honest[0]) != before[0] || _fingerprint(honest[1]) != before[1]) {
                _violate(Kind.Signed, Target.Exchange, "refused match");
            }
            return;
        }
        bool both = bid.trader == ask.trader;
        if (!_tookExactly(bid, b0, q, both) || !_tookExactly(ask, a0, q, both)) {
            _violate(Kind.Signed, Target.Exchange, "match");
        }
        for (uint256 i; i < 2; ++i) {
            if (honest[i] != bid.trader && honest[i] != ask.trader && _fingerprint(honest[i]) != before[i]) {
                _violate(Kind.Signed, Target.Exchange, "bystander");
            }
        }
    }

    function _violate(Kind kind, Target target, bytes memory call) internal {
        if (violations++ == 0) {
            firstViolation = string(abi.encodePacked("kind ", vm.toString(uint8(kind)), " target ", vm.toString(uint8(target)), " call ", vm.toString(call)));
        }
    }

    /// @dev Everything of `who`'s a call may change: balance, positions in every market seen, the
    /// chain head, what is left of each of their orders and their claim flags.
    function _fingerprint(address who) internal view returns (bytes32 h) {
        h = keccak256(abi.encode(ex.balanceOf(who), ex.chainHead(who)));
        for (uint256 r; r < roots.length; ++r) {
            for (uint16 b = 1; b <= 2; ++b) {
                (int256 q, int256 c) = ex.position(who, roots[r], b);
                h = keccak256(abi.encode(h, q, c));
            }
            h = keccak256(abi.encode(h, ex.hasClaimed(who, roots[r])));
        }
        for (uint256 k; k < orders.length; ++k) {
            if (orders[k].trader == who) h = keccak256(abi.encode(h, _remainingOf(orders[k])));
        }
    }

    /// @dev What a match or fill must never touch: the balance and the chain of signed orders.
    function _money(address who) internal view returns (bytes32) {
        return keccak256(abi.encode(ex.balanceOf(who), ex.chainHead(who)));
    }

    function _quantity(address who, Order memory o) internal view returns (int256 q) {
        if (o.trader == address(0)) return 0;
        (q,) = ex.position(who, o.marketRootId, o.marketBranchId);
    }

    function _remainingOf(Order memory o) internal view returns (uint128 remaining) {
        if (o.trader == address(0)) return 0;
        (,, remaining,,) = ex.orderState(o);
    }

    /*//////////////////////////////////////////////////////////////
                                HELPERS
    //////////////////////////////////////////////////////////////*/

    /// @dev Market `m` of three: the book root, its sub-market, the artifact's current market.
    function _market(uint256 m) internal view returns (uint256 root, uint16 branch) {
        uint256 k = m % 3;
        if (k == 2) {
            (root,) = art.market(A);
            return (root, 1);
        }
        return (R, uint16(k + 1));
    }

    function _bounds(uint256 root, uint16 branch) internal view returns (int128 lo, int128 hi) {
        try ex.bounds(root, branch) returns (int128 l, int128 h) {
            return (l, h);
        } catch {}
    }

    function _poolFor(bool artifactPool) internal view returns (bool, PoolKey memory key) {
        if (!artifactPool) return (true, bookPool);
        (, bytes32 poolId) = art.market(A);
        if (poolId == 0) return (false, key);
        return (true, maker.poolKey(poolId));
    }

    /// @dev Any pool: the plain one, the artifact's or one of mallory's.
    function _anyPool(uint256 pick) internal view returns (PoolKey memory) {
        uint256 k = pick % (2 + malloryPools.length);
        if (k >= 2) return malloryPools[k - 2];
        (bool ok, PoolKey memory key) = _poolFor(k == 1);
        return ok ? key : bookPool;
    }

    /// @dev An order placed by an honest trader (`owner`, or any when zero), from `pick` on.
    function _orderOf(address owner, uint256 pick) internal view returns (bool, Order memory o) {
        uint256 n = orders.length;
        for (uint256 k; k < n; ++k) {
            o = orders[(pick % n + k) % n];
            if (owner == address(0) || o.trader == owner) return (true, o);
        }
        return (false, o);
    }

    /// @dev A Primary unmatched order off `trader`'s chain head, with a fresh trade id.
    function _order(address trader, uint256 root, uint16 branch, int128 price, int128 q)
        internal
        returns (Order memory)
    {
        return Order(nextTradeId++, 1, false, price, q, root, branch, trader, 1, ex.chainHead(trader), 0);
    }

    function _sign(uint256 key, Order memory o) internal view returns (bytes memory) {
        (uint8 v, bytes32 r, bytes32 s_) = vm.sign(key, ex.hashOrder(o));
        return abi.encodePacked(r, s_, v);
    }

    function _copy(Order memory o) internal pure returns (Order memory) {
        return abi.decode(abi.encode(o), (Order));
    }

    function _noOrder() internal pure returns (Order memory none) {}
}
