// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

import {IExchange} from "../../contracts/interfaces/IExchange.sol";
import {IVaultEE} from "../../contracts/interfaces/IVault.sol";
import {FeeToken} from "../../contracts/test/FeeToken.sol";
import {TestToken} from "../../contracts/test/TestToken.sol";
import {Deploy} from "./utils/Deploy.sol";
import {IMintableERC20, VaultBase} from "./utils/VaultBase.sol";

/// @title VaultLimitsTest
/// @notice The vault's int128 balance cap: deposits up to exactly 2^127 - 1 and the named refusal
/// past it, for tokens of 0, 18 and 24 decimals.
contract VaultLimitsTest is VaultBase {
    /// @notice Balances are int128: a deposit whose credit would take the account's balance past
    /// 2^127 - 1 is refused with `BalanceOverflow(account, credited)` (the credited account, not the
    /// payer) and moves nothing; one that lands exactly on 2^127 - 1 is accepted.
    function test_depositPastInt128Reverts() public {
        uint256 max = uint256(int256(type(int128).max));
        // 18 decimals: one unit is one wei.
        IExchange ex18 = exchanges[2];
        IMintableERC20 t18 = IMintableERC20(address(tokens[2]));
        _fund(t18, address(ex18), alice, max + 1);
        vm.startPrank(alice);
        vm.expectRevert(abi.encodeWithSelector(IVaultEE.BalanceOverflow.selector, alice, max + 1));
        ex18.deposit(max + 1); // alone past the limit
        ex18.deposit(max - 10);
        vm.expectRevert(abi.encodeWithSelector(IVaultEE.BalanceOverflow.selector, alice, uint256(11)));
        ex18.deposit(11);
        ex18.deposit(10); // exactly 2^127 - 1
        assertEq(ex18.balanceOf(alice), type(int128).max, "balance at the limit");
        vm.expectRevert(abi.encodeWithSelector(IVaultEE.BalanceOverflow.selector, alice, uint256(1)));
        ex18.deposit(1);
        vm.stopPrank();
        assertEq(t18.balanceOf(address(ex18)), max, "refused deposits moved tokens");
        assertEq(t18.balanceOf(alice), 1, "payer charged for a refused deposit");

        // A depositFor names the credited account; a withdrawal makes room again.
        _fund(t18, address(ex18), carol, 5);
        vm.prank(carol);
        vm.expectRevert(abi.encodeWithSelector(IVaultEE.BalanceOverflow.selector, alice, uint256(5)));
        ex18.depositFor(alice, 5);
        vm.prank(alice);
        ex18.withdraw(4);
        vm.prank(carol);
        vm.expectRevert(abi.encodeWithSelector(IVaultEE.BalanceOverflow.selector, alice, uint256(5)));
        ex18.depositFor(alice, 5);
        vm.prank(carol);
        ex18.depositFor(alice, 4);
        assertEq(ex18.balanceOf(alice), type(int128).max, "balance back at the limit");
        assertEq(t18.balanceOf(address(ex18)) * 1, uint256(ex18.balanceOf(alice)), "held != balance");

        // 0 decimals: one unit credits 1e18; the last whole unit does not fit.
        IExchange ex0 = exchanges[0];
        IMintableERC20 t0 = IMintableERC20(address(tokens[0]));
        uint256 units = max / 1e18; // 170141183460469231731
        _fund(t0, address(ex0), bob, units + 1);
        vm.startPrank(bob);
        ex0.deposit(units);
        vm.expectRevert(abi.encodeWithSelector(IVaultEE.BalanceOverflow.selector, bob, uint256(1e18)));
        ex0.deposit(1);
        vm.stopPrank();
        assertEq(uint256(ex0.balanceOf(bob)), units * 1e18, "0-decimal balance");
        assertEq(t0.balanceOf(address(ex0)) * 1e18, uint256(ex0.balanceOf(bob)), "0-decimal held != balance");

        // 24 decimals: the credit is rounded down first; sub-wei dust never overflows.
        IExchange ex24 = exchanges[3];
        IMintableERC20 t24 = IMintableERC20(address(tokens[3]));
        _fund(t24, address(ex24), bob, (max + 1) * 1e6);
        vm.startPrank(bob);
        vm.expectRevert(abi.encodeWithSelector(IVaultEE.BalanceOverflow.selector, bob, max + 1));
        ex24.deposit((max + 1) * 1e6);
        ex24.deposit(max * 1e6 + 999_999);
        vm.stopPrank();
        assertEq(ex24.balanceOf(bob), type(int128).max, "24-decimal balance");
        assertEq(t24.balanceOf(address(ex24)), max * 1e6 + 999_999, "24-decimal held");
    }

    /// @notice Near the limit, a deposit is accepted exactly when the new balance stays at most
    /// 2^127 - 1, and refused with `BalanceOverflow(account, credited)` otherwise, moving nothing.
    /// forge-config: default.fuzz.runs = 2000
    function testFuzz_depositOverflowBoundary(uint8 dSel, uint256 startRaw, uint256 creditRaw) public {
        (IExchange ex, IMintableERC20 token, uint8 d) = _pick(dSel);
        uint256 max = uint256(int256(type(int128).max));
        uint256 unit = d <= 18 ? 10 ** (18 - d) : 1;
        // A first deposit of whole units somewhere up to the limit, then one near the remaining room.
        uint256 first = d <= 18 ? bound(startRaw, 1, max / unit) : bound(startRaw, 1, max) * 10 ** (d - 18);
        uint256 start = _toInternalModel(d, first);
        uint256 room = max - start;
        uint256 extra = bound(creditRaw, 0, 3);
        uint256 second = d <= 18 ? room / unit + extra : (room + extra) * 10 ** (d - 18);
        if (second == 0) second = d <= 18 ? 1 : 10 ** (d - 18); // the smallest deposit that credits
        uint256 credited = _toInternalModel(d, second);
        _fund(token, address(ex), alice, first + second);
        vm.startPrank(alice);
        ex.deposit(first);
        assertEq(uint256(ex.balanceOf(alice)), start, "first deposit");
        if (credited > room) {
            vm.expectRevert(abi.encodeWithSelector(IVaultEE.BalanceOverflow.selector, alice, credited));
            ex.deposit(second);
            assertEq(uint256(ex.balanceOf(alice)), start, "balance after refusal");
            assertEq(token.balanceOf(address(ex)), first, "tokens after refusal");
        } else {
            ex.deposit(second);
            assertEq(uint256(ex.balanceOf(alice)), start + credited, "balance");
            assertEq(token.balanceOf(address(ex)), first + second, "tokens");
        }
        vm.stopPrank();
        _assertBacked(ex, token, d, uint256(ex.balanceOf(alice)));
    }
}
