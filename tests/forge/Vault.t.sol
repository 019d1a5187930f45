// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

import {Exchange} from "../../contracts/Exchange.sol";
import {IExchange} from "../../contracts/interfaces/IExchange.sol";
import {IVaultEE} from "../../contracts/interfaces/IVault.sol";
import {FeeToken} from "../../contracts/test/FeeToken.sol";
import {TestToken} from "../../contracts/test/TestToken.sol";
import {Deploy} from "./utils/Deploy.sol";
import {IMintableERC20, VaultBase} from "./utils/VaultBase.sol";

/// @title VaultTest
/// @notice Fuzz tests of the collateral vault's conversions between token units and 18-decimal
/// balances, for tokens of 0, 6, 18 and 24 decimals and for a fee-on-transfer token: a deposit is
/// credited what arrived, rounded down; a withdrawal sends whole token units and debits exactly
/// their 18-decimal value; money in equals money out plus money held, to the wei.
contract VaultTest is VaultBase {
    /*//////////////////////////////////////////////////////////////
                                FUZZ TESTS
    //////////////////////////////////////////////////////////////*/

    /// @notice A deposit of `amount` token units credits `toInternal(amount)` rounded down (for
    /// `depositFor`, to the named account), moves exactly `amount` units and emits `Deposited`;
    /// an amount worth less than one 18-decimal wei is refused with `ZeroAmount`.
    function testFuzz_depositCreditsToInternalRoundedDown(uint8 dSel, uint8 mode, uint256 raw, bool forOther)
        public
    {
        (IExchange ex, IMintableERC20 token, uint8 d) = _pick(dSel);
        uint256 amount = _tokenAmount(d, mode, raw);
        address account = forOther ? bob : alice;
        _fund(token, address(ex), alice, amount);

        uint256 credited = _toInternalModel(d, amount);
        assertEq(ex.toInternal(amount), credited, "toInternal");
        if (d <= 18) {
            assertEq(credited / 10 ** (18 - d), amount, "exact scale-up");
        } else {
            // Rounded down: credited wei are worth at most `amount`, and one more wei is worth more.
            assertLe(credited * 10 ** (d - 18), amount, "rounded up");
            assertGt((credited + 1) * 10 ** (d - 18), amount, "rounded down too far");
        }

        vm.startPrank(alice);
        if (credited == 0) {
            vm.expectRevert(IVaultEE.ZeroAmount.selector);
            forOther ? ex.depositFor(account, amount) : ex.deposit(amount);
            vm.stopPrank();
            assertEq(uint256(ex.balanceOf(account)), 0, "credited after refusal");
            assertEq(token.balanceOf(address(ex)), 0, "tokens moved after refusal");
            return;
        }
        vm.expectEmit(true, true, true, true, address(ex));
        emit IVaultEE.Deposited(account, alice, amount, credited);
        forOther ? ex.depositFor(account, amount) : ex.deposit(amount);
        vm.stopPrank();

        assertEq(uint256(ex.balanceOf(account)), credited, "balance");
        assertEq(uint256(ex.balanceOf(forOther ? alice : bob)), 0, "credited the wrong account");
        assertEq(token.balanceOf(address(ex)), amount, "exchange tokens");
        assertEq(token.balanceOf(alice), 0, "payer tokens");
    }

    /// @notice A withdrawal of `amount` (18 decimals) sends `toTokens(amount)` whole token units
    /// and debits exactly `toInternal(toTokens(amount))`, leaving any dust credited; it is refused
    /// with `ZeroAmount` when no whole unit would move and with
    /// `InsufficientBalance(account, balance, needed)` when the debit exceeds the balance.
    function testFuzz_withdrawSendsWholeUnitsAndDebitsExactly(
        uint8 dSel,
        uint8 depMode,
        uint256 depRaw,
        uint8 wMode,
        uint256 wRaw,
        bool toOther
    ) public {
        W memory w;
        (w.ex, w.token, w.d) = _pick(dSel);
        uint256 deposited = _tokenAmount(w.d, depMode, depRaw);
        if (_toInternalModel(w.d, deposited) != 0) {
            _fund(w.token, address(w.ex), alice, deposited);
            vm.prank(alice);
            w.ex.deposit(deposited);
            w.balance = uint256(w.ex.balanceOf(alice));
        }
        w.amount = _withdrawAmount(w.d, wMode, wRaw, w.balance);
        w.to = toOther ? outsider : alice;
        w.useTo = toOther;
        _checkWithdraw(w);
    }

    /// @dev The context of one checked withdrawal by alice.
    struct W {
        IExchange ex;
        IMintableERC20 token;
        uint8 d;
        address to;
        bool useTo;
        uint256 amount;
        uint256 balance;
        uint256 tokensOut;
        uint256 debit;
        uint256 exTokens;
        uint256 toTokensBefore;
        uint256 sent;
    }

    function _checkWithdraw(W memory w) internal {
        w.tokensOut = _toTokensModel(w.d, w.amount);
        w.debit = _toInternalModel(w.d, w.tokensOut);
        assertEq(w.ex.toTokens(w.amount), w.tokensOut, "toTokens");
        // Whole units only, never more than asked: debit <= amount < debit + one token unit.
        assertLe(w.debit, w.amount, "debit above the amount asked");
        if (w.d <= 18) assertLt(w.amount - w.debit, 10 ** (18 - w.d), "more than one unit of dust");
        else assertEq(w.debit, w.amount, "tokens above 18 decimals move every wei");

        w.exTokens = w.token.balanceOf(address(w.ex));
        w.toTokensBefore = w.token.balanceOf(w.to);
        vm.startPrank(alice);
        if (w.tokensOut == 0) {
            vm.expectRevert(IVaultEE.ZeroAmount.selector);
        } else if (w.debit > w.balance) {
            vm.expectRevert(abi.encodeWithSelector(IVaultEE.InsufficientBalance.selector, alice, w.balance, w.debit));
        } else {
            vm.expectEmit(true, true, true, true, address(w.ex));
            emit IVaultEE.Withdrawn(alice, w.to, w.debit, w.tokensOut);
            w.balance -= w.debit;
            w.exTokens -= w.tokensOut;
            w.sent = w.tokensOut;
        }
        w.useTo ? w.ex.withdrawTo(w.to, w.amount) : w.ex.withdraw(w.amount);
        vm.stopPrank();

        assertEq(uint256(w.ex.balanceOf(alice)), w.balance, "balance after");
        assertEq(w.token.balanceOf(address(w.ex)), w.exTokens, "exchange tokens after");
        assertEq(w.token.balanceOf(w.to), w.toTokensBefore + w.sent, "recipient");
        _assertBacked(w.ex, w.token, w.d, uint256(w.ex.balanceOf(alice)));
    }

    /// @notice With a fee-on-transfer token the vault credits only what arrived (the balance
    /// difference), rounded down, and a withdrawal debits the whole units that left the vault even
    /// though the recipient receives them net of the fee.
    function testFuzz_feeTokenCreditsOnlyWhatArrived(uint8 dSel, uint16 feeRaw, uint8 mode, uint256 raw) public {
        uint8 d = _decimals(dSel);
        uint256 feeBps = _feeBps(feeRaw);
        FeeToken token = new FeeToken(d, feeBps);
        IExchange ex = Deploy.exchange(IERC20(address(token)), 8);
        uint256 amount = _tokenAmount(d, mode, raw);
        _fund(IMintableERC20(address(token)), address(ex), alice, amount);

        uint256 received = amount - amount * feeBps / 10_000;
        uint256 credited = _toInternalModel(d, received);

        vm.startPrank(alice);
        if (amount == 0 || credited == 0) {
            vm.expectRevert(IVaultEE.ZeroAmount.selector);
            ex.deposit(amount);
            vm.stopPrank();
            assertEq(uint256(ex.balanceOf(alice)), 0, "credited after refusal");
            return;
        }
        vm.expectEmit(true, true, true, true, address(ex));
        emit IVaultEE.Deposited(alice, alice, received, credited);
        ex.deposit(amount);
        assertEq(uint256(ex.balanceOf(alice)), credited, "credited more than arrived");
        assertEq(token.balanceOf(address(ex)), received, "exchange tokens");

        // Withdraw everything that can leave in whole units.
        uint256 tokensOut = _toTokensModel(d, credited);
        uint256 debit = _toInternalModel(d, tokensOut);
        if (tokensOut == 0) {
            vm.expectRevert(IVaultEE.ZeroAmount.selector);
            ex.withdrawTo(outsider, credited);
            vm.stopPrank();
            return;
        }
        ex.withdrawTo(outsider, credited);
        vm.stopPrank();
        assertEq(uint256(ex.balanceOf(alice)), credited - debit, "debit");
        assertEq(token.balanceOf(address(ex)), received - tokensOut, "exchange tokens after");
        assertEq(token.balanceOf(outsider), tokensOut - tokensOut * feeBps / 10_000, "recipient net of fee");
        _assertBacked(ex, IERC20(address(token)), d, _sumOf(ex, alice, address(0), address(0)));
    }

    /// @notice Over a random sequence of deposits, deposits for others, withdrawals and
    /// withdrawals to others by three accounts (with a plain or a fee-on-transfer token of 0, 6,
    /// 18 or 24 decimals), after every operation: tokens in == tokens out + tokens held, credits
    /// - debits == the sum of balances, and the tokens held are worth the sum of balances exactly
    /// (decimals <= 18) or the sum of balances plus the uncredited deposit dust (decimals > 18).
    function testFuzz_conservation(uint8 dSel, uint16 feeRaw, bool withFee, Op[OPS] calldata ops) public {
        uint8 d = _decimals(dSel);
        IMintableERC20 token;
        uint256 feeBps;
        if (withFee) {
            feeBps = _feeBps(feeRaw);
            token = IMintableERC20(address(new FeeToken(d, feeBps)));
        } else {
            token = IMintableERC20(address(new TestToken("Collateral", "COL", d)));
        }
        IExchange ex = Deploy.exchange(IERC20(address(token)), 8);
        address[USERS] memory users = [alice, bob, carol];
        for (uint256 i; i < USERS; ++i) {
            token.mint(users[i], type(uint192).max);
            vm.prank(users[i]);
            token.approve(address(ex), type(uint256).max);
        }

        for (uint256 i; i < OPS; ++i) {
            Op calldata op = ops[i];
            address who = users[op.who % USERS];
            address other = users[(op.who / USERS) % USERS];
            if (op.kind % 2 == 0) {
                _depositOp(ex, token, d, feeBps, who, op.kind % 4 == 2 ? other : who, op);
            } else {
                _withdrawOp(ex, token, d, feeBps, who, op.kind % 4 == 3 ? other : who, op);
            }

            uint256 held = token.balanceOf(address(ex));
            uint256 sum = _sumOf(ex, alice, bob, carol);
            assertEq(_in, _out + held, "money in != money out + money held");
            assertEq(_credited - _debited, sum, "credits - debits != balances");
            _assertBacked(ex, token, d, sum);
            if (d > 18) assertEq(held, sum * 10 ** (d - 18) + _dust, "held != balances + dust");
        }
    }

    /*//////////////////////////////////////////////////////////////
                              UNIT TESTS
    //////////////////////////////////////////////////////////////*/

    /// @notice Zero deposits, withdrawals of less than one token unit, zero addresses and tokens of
    /// more than 36 decimals are refused with their exact errors; 36 decimals is accepted.
    function test_refusals() public {
        IExchange ex6 = exchanges[1];
        vm.expectRevert(IVaultEE.ZeroAmount.selector);
        ex6.deposit(0);
        vm.expectRevert(IVaultEE.ZeroAmount.selector);
        ex6.withdraw(0);
        vm.expectRevert(IVaultEE.ZeroAmount.selector);
        ex6.withdraw(1e12 - 1); // less than one 6-decimal unit
        vm.expectRevert(abi.encodeWithSelector(IVaultEE.InsufficientBalance.selector, address(this), 0, 1e12));
        ex6.withdraw(1e12);
        vm.expectRevert(IVaultEE.ZeroAddress.selector);
        ex6.depositFor(address(0), 1);
        vm.expectRevert(IVaultEE.ZeroAddress.selector);
        ex6.withdrawTo(address(0), 1e18);

        vm.expectRevert(IVaultEE.ZeroAmount.selector);
        exchanges[0].withdraw(1e18 - 1); // less than one 0-decimal unit

        // 24 decimals: 10^6 - 1 units are worth less than one wei.
        _fund(IMintableERC20(address(tokens[3])), address(exchanges[3]), alice, 1e6 - 1);
        vm.prank(alice);
        vm.expectRevert(IVaultEE.ZeroAmount.selector);
        exchanges[3].deposit(1e6 - 1);

        TestToken t37 = new TestToken("T", "T", 37);
        vm.expectRevert(abi.encodeWithSelector(IVaultEE.UnsupportedDecimals.selector, uint8(37)));
        new Exchange(IERC20(address(t37)), 8, 32, 64, Deploy.none(), false);
        TestToken t36 = new TestToken("T", "T", 36);
        IExchange ex36 = Deploy.exchange(IERC20(address(t36)), 8);
        assertEq(ex36.toInternal(1e18), 1, "36 decimals: 1e18 units are one wei");
        assertEq(ex36.toTokens(1), 1e18, "36 decimals: one wei is 1e18 units");
    }

    /// @notice Worked examples of the rounding: 6 decimals keeps sub-unit dust credited; 24
    /// decimals leaves sub-wei deposit dust in the vault, uncredited.
    function test_roundingExamples() public {
        IExchange ex6 = exchanges[1];
        _fund(IMintableERC20(address(tokens[1])), address(ex6), alice, 2_500_000); // 2.5 tokens
        vm.startPrank(alice);
        ex6.deposit(2_500_000);
        assertEq(uint256(ex6.balanceOf(alice)), 2.5e18);
        ex6.withdraw(1.9999999999999e18); // 1.999999 tokens move, 0.0000009999999e18 of dust stays
        assertEq(tokens[1].balanceOf(alice), 1_999_999);
        assertEq(uint256(ex6.balanceOf(alice)), 2.5e18 - 1.999999e18);
        vm.stopPrank();

        IExchange ex24 = exchanges[3];
        _fund(IMintableERC20(address(tokens[3])), address(ex24), bob, 3e6 + 7);
        vm.startPrank(bob);
        ex24.deposit(3e6 + 7);
        assertEq(uint256(ex24.balanceOf(bob)), 3, "3 wei credited, 7 units of dust");
        ex24.withdraw(3);
        vm.stopPrank();
        assertEq(tokens[3].balanceOf(bob), 3e6);
        assertEq(uint256(ex24.balanceOf(bob)), 0);
        assertEq(tokens[3].balanceOf(address(ex24)), 7, "dust stays in the vault");
    }
}
