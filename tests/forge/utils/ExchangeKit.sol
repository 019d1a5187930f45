// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test} from "forge-std/Test.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

import {IExchange} from "../../../contracts/interfaces/IExchange.sol";
import {Leg, MatchRequest, Order} from "../../../contracts/libraries/OrderStructs.sol";
import {TestToken} from "../../../contracts/test/TestToken.sol";
import {Deploy} from "./Deploy.sol";

/// @title ExchangeKit
/// @notice A real Exchange with a 6-decimal TestToken, traders with private keys, and helpers to
/// fund them and to build, sign and place orders and their dependents (Partial, Offset, Reduction).
abstract contract ExchangeKit is Test {
    int128 internal constant WAD = 1e18;
    /// @dev Wad per unit of the 6-decimal collateral.
    uint256 internal constant UNIT = 1e12;

    IExchange internal ex;
    TestToken internal token;
    address internal owner = makeAddr("owner");
    address internal stranger;
    uint256 internal strangerKey;

    mapping(address trader => uint256) internal keyOf;
    /// @dev Every order `_place` placed, by hash (see `_state`).
    mapping(bytes32 orderHash => Order) internal _placed;
    uint256 internal _nextTradeId = 1;

    /// @dev The roots and traders most suites use (`_deployWithTraders` sets the traders up).
    uint256 internal constant R = 1;
    uint256 internal constant R2 = 2;
    address internal alice;
    address internal bob;
    address internal carol;

    function _deployKit(uint16 maxBranches) internal {
        token = new TestToken("Collateral", "COL", 6);
        ex = Deploy.exchange(IERC20(address(token)), maxBranches);
        (stranger, strangerKey) = makeAddrAndKey("stranger");
    }

    /// @dev An Exchange with `maxBranches`, and alice, bob and carol with their keys.
    function _deployWithTraders(uint16 maxBranches) internal {
        _deployKit(maxBranches);
        alice = _trader("alice");
        bob = _trader("bob");
        carol = _trader("carol");
    }

    function _trader(string memory name) internal returns (address a) {
        uint256 key;
        (a, key) = makeAddrAndKey(name);
        keyOf[a] = key;
    }

    /// @dev Deposit `wad` (a multiple of one token unit) for `who`.
    function _fund(address who, uint256 wad) internal {
        uint256 units = wad / UNIT;
        require(units * UNIT == wad, "kit: whole units only");
        token.mint(who, units);
        vm.startPrank(who);
        token.approve(address(ex), units);
        ex.deposit(units);
        vm.stopPrank();
    }

    /// @dev A Primary unmatched order off `who`'s current chain head, with a fresh trade id.
    function _primary(address who, uint256 root, uint16 branch, int128 price, int128 quantity)
        internal
        returns (Order memory)
    {
        return Order({
            tradeRootId: _nextTradeId++,
            tradeBranchId: 1,
            isMatched: false,
            price: price,
            quantity: quantity,
            marketRootId: root,
            marketBranchId: branch,
            trader: who,
            tradeType: 1,
            previous: ex.chainHead(who),
            expiry: 0
        });
    }

    function _sign(uint256 key, Order memory o) internal view returns (bytes memory) {
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(key, ex.hashOrder(o));
        return abi.encodePacked(r, s, v);
    }

    function _signed(Order memory o) internal view returns (bytes memory) {
        return _sign(keyOf[o.trader], o);
    }

    /// @dev Build, sign and place a Primary order; returns it and its hash.
    function _place(address who, uint256 root, uint16 branch, int128 price, int128 quantity)
        internal
        returns (Order memory o, bytes32 h)
    {
        o = _primary(who, root, branch, price, quantity);
        h = ex.placeOrder(o, _signed(o));
        _placed[h] = o;
    }

    /// @dev A Partial of `o`: same trade and market, same `previous`, smaller size, given price.
    function _partialOf(Order memory o, int128 price, int128 quantity) internal pure returns (Order memory p) {
        p = _copy(o);
        p.tradeBranchId = 2;
        p.tradeType = 2;
        p.price = price;
        p.quantity = quantity;
    }

    /// @dev The Offset that cancels `o`.
    function _offsetOf(Order memory o, bytes32 h) internal pure returns (Order memory f) {
        f = _copy(o);
        f.tradeBranchId = 3;
        f.tradeType = 3;
        f.quantity = -o.quantity;
        f.previous = h;
    }

    /// @dev A Reduction of `o` by `size` (unsigned amount; the sign is opposite to `o`'s).
    function _reductionOf(Order memory o, bytes32 h, int128 size) internal pure returns (Order memory r) {
        r = _copy(o);
        r.tradeBranchId = 4;
        r.tradeType = 4;
        r.isMatched = true;
        r.quantity = o.quantity > 0 ? -size : size;
        r.previous = h;
    }

    /// @dev A fresh copy (memory struct assignment would alias).
    function _copy(Order memory o) internal pure returns (Order memory) {
        return abi.decode(abi.encode(o), (Order));
    }

    function _none() internal pure returns (Order memory empty) {}

    function _req(Order memory bid, Order memory ask, uint128 q) internal pure returns (MatchRequest memory m) {
        m.bid = Leg(bid, _none(), "");
        m.ask = Leg(ask, _none(), "");
        m.quantity = q;
    }

    function _reqAt(Order memory bid, Order memory ask, uint128 q, int128 price)
        internal
        pure
        returns (MatchRequest memory m)
    {
        m = _req(bid, ask, q);
        m.price = price;
        m.atPrice = true;
    }

    /// @dev The exchange's tokens converted to wad.
    function _heldWad() internal view returns (uint256) {
        return token.balanceOf(address(ex)) * UNIT;
    }

    /// @dev The book's record of an order placed through `_place`, by its hash (`orderState` takes
    /// the order: the open quantity lives with the trader's open order in the root).
    function _state(bytes32 h)
        internal
        view
        returns (uint8 tradeType, bool isMatched, uint128 remaining, uint8 slot, uint64 seq)
    {
        Order memory o = _placed[h];
        require(o.trader != address(0), "kit: not an order placed through _place");
        return ex.orderState(o);
    }

    function _remaining(bytes32 h) internal view returns (uint128 r) {
        (,, r,,) = _state(h);
    }

    function _assertPosition(address who, uint256 root, uint16 branch, int256 q, int256 cost36) internal view {
        (int256 quantity, int256 cost) = ex.position(who, root, branch);
        assertEq(quantity, q, "position quantity");
        assertEq(cost, cost36, "position cost");
    }
}
