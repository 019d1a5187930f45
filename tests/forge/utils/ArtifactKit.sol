// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

import {Artifacts} from "../../../contracts/Artifacts.sol";
import {Bounties} from "../../../contracts/Bounties.sol";
import {State} from "../../../contracts/interfaces/IArtifacts.sol";
import {PoolKey, Side} from "../../../contracts/interfaces/IMaker.sol";
import {Order} from "../../../contracts/libraries/OrderStructs.sol";
import {MakerKit} from "./MakerKit.sol";

/// @notice An Exchange with its Maker, an artifact registry (90-day closes, a one-day trigger window,
/// the seed's thresholds 0.7 / 0.3 / 0.1) and its bounties; an oracle; helpers to trade an artifact.
abstract contract ArtifactKit is MakerKit {
    bytes32 internal constant A = "artifact-A";
    uint256 internal constant DAY = 1 days;

    Artifacts internal art;
    Bounties internal bounties;
    address internal oracle = makeAddr("oracle");
    address internal registrant = makeAddr("registrant");

    function _deployArtifacts() internal {
        _deployWithMaker(4);
        art = new Artifacts(ex, 90 * DAY, DAY, [uint256(0.7e18), 0.3e18, 0.1e18]);
        bounties = new Bounties(art, IERC20(address(token)), art.ORACLE_ROLE());
        art.grantRole(art.ORACLE_ROLE(), oracle);
    }

    /// @dev Register `artifact` by the registrant with liquidity `b` and fee `feeBps` (minted and
    /// approved for it); returns its first root.
    function _register(bytes32 artifact, uint96 b, uint16 feeBps) internal returns (uint256 root) {
        uint256 units = (maker.fundingFor(b) + UNIT - 1) / UNIT;
        token.mint(registrant, units);
        vm.startPrank(registrant);
        token.approve(address(art), units);
        (root,) = art.register(artifact, b, feeBps);
        vm.stopPrank();
    }

    function _post(State to) internal {
        vm.prank(oracle);
        art.transition(A, to);
    }

    /// @dev The artifact's current root and pool key (the pool must exist).
    function _market(bytes32 artifact) internal view returns (uint256 root, PoolKey memory key) {
        bytes32 poolId;
        (root, poolId) = art.market(artifact);
        key = maker.poolKey(poolId);
    }

    /// @dev `buyer` buys `q` from `seller` at `price` on the book (both place, then a match).
    function _trade(uint256 root, address buyer, address seller, int128 price, int128 q) internal {
        (Order memory bid,) = _place(buyer, root, 1, price, q);
        (Order memory ask,) = _place(seller, root, 1, price, -q);
        ex.matchPair(bid, ask, uint128(q));
    }

    /// @dev Settle `who` in `round` of `A` through the registry (anyone may).
    function _settle(uint256 round, address who) internal returns (uint256) {
        address[] memory list = new address[](1);
        list[0] = who;
        return art.settle(A, round, list);
    }

    function _settle(uint256 round, address x, address y) internal returns (uint256) {
        address[] memory list = new address[](2);
        (list[0], list[1]) = (x, y);
        return art.settle(A, round, list);
    }

    function _settle(uint256 round, address x, address y, address z) internal returns (uint256) {
        address[] memory list = new address[](3);
        (list[0], list[1], list[2]) = (x, y, z);
        return art.settle(A, round, list);
    }

    function _balance(address who) internal view returns (int256) {
        return ex.balanceOf(who);
    }

    /// @dev Money in equals money held: the Exchange's tokens are every balance plus every pot
    /// (`accounts` must list every account with money), and the bounties' tokens their escrow plus
    /// what they owe.
    function _assertMoney(address[] memory accounts, uint256[] memory roots) internal view {
        uint256 sum;
        for (uint256 i; i < accounts.length; ++i) sum += uint256(ex.balanceOf(accounts[i]));
        for (uint256 i; i < roots.length; ++i) sum += ex.pot(roots[i]);
        assertEq(token.balanceOf(address(ex)) * UNIT, sum, "exchange tokens == balances + pots");
        assertEq(token.balanceOf(address(bounties)), bounties.escrowed() + bounties.owedTotal(), "bounty tokens == escrow + owed");
    }

    function _buyPool(address who, PoolKey memory key, Side side, uint256 shares) internal returns (int256) {
        return _buy(who, key, side, shares);
    }
}
