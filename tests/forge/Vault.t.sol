// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test} from "forge-std/Test.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

import {IExchange} from "../../contracts/interfaces/IExchange.sol";
import {Deploy} from "./utils/Deploy.sol";
import {IVaultEE} from "../../contracts/interfaces/IVault.sol";
import {FeeToken} from "../../contracts/test/FeeToken.sol";
import {TestToken} from "../../contracts/test/TestToken.sol";

/// @notice The mint function both test tokens share.
interface IMintableERC20 is IERC20 {
    function mint(address to, uint256 amount) external;
}

/// @title VaultTest
/// @notice Fuzz tests of the collateral vault's conversions between token units and 18-decimal
/// balances, for tokens of 0, 6, 18 and 24 decimals and for a fee-on-transfer token: a deposit is
/// credited what arrived, rounded down; a withdrawal sends whole token units and debits exactly
/// their 18-decimal value; money in equals money out plus money held, to the wei.
contract VaultTest is Test {
    /// @dev One fuzzed vault operation of the conservation test.
    struct Op {
        uint8 kind;
        uint8 who;
        uint8 mode;
        uint256 raw;
    }

    uint256 internal constant OPS = 12;
    uint256 internal constant USERS = 3;

    IExchange[4] internal exchanges;
    TestToken[4] internal tokens;

    address internal alice = makeAddr("alice");
    address internal bob = makeAddr("bob");
    address internal carol = makeAddr("carol");
    address internal outsider = makeAddr("outsider");

    // Ghost accounting of the conservation test (reset per fuzz run).
    uint256 internal _in; // token units that arrived at the exchange
    uint256 internal _out; // token units that left the exchange
    uint256 internal _credited; // 18-decimal credits
    uint256 internal _debited; // 18-decimal debits
    uint256 internal _dust; // token units held but not credited (tokens above 18 decimals)

    function setUp() public {
        uint8[4] memory decs = [uint8(0), 6, 18, 24];
        for (uint256 i; i < 4; ++i) {
            tokens[i] = new TestToken("Collateral", "COL", decs[i]);
            exchanges[i] = Deploy.exchange(IERC20(address(tokens[i])), 8);
        }
    }

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
        Deploy.exchange(IERC20(address(t37)), 8);
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

    /*//////////////////////////////////////////////////////////////
                               OPERATIONS
    //////////////////////////////////////////////////////////////*/

    function _depositOp(
        IExchange ex,
        IMintableERC20 token,
        uint8 d,
        uint256 feeBps,
        address payer,
        address account,
        Op calldata op
    ) internal {
        uint256 amount = _tokenAmount(d, op.mode, op.raw);
        uint256 received = amount - amount * feeBps / 10_000;
        uint256 credited = _toInternalModel(d, received);
        uint256 before = uint256(ex.balanceOf(account));
        uint256 payerTokens = token.balanceOf(payer);
        vm.prank(payer);
        if (amount == 0 || credited == 0) vm.expectRevert(IVaultEE.ZeroAmount.selector);
        ex.depositFor(account, amount);
        if (amount == 0 || credited == 0) return;

        assertEq(uint256(ex.balanceOf(account)), before + credited, "deposit credit");
        assertEq(payerTokens - token.balanceOf(payer), amount, "payer charged");
        _in += received;
        _credited += credited;
        if (d > 18) _dust += received % 10 ** (d - 18);
    }

    function _withdrawOp(
        IExchange ex,
        IMintableERC20 token,
        uint8 d,
        uint256 feeBps,
        address account,
        address to,
        Op calldata op
    ) internal {
        uint256 balance = uint256(ex.balanceOf(account));
        uint256 amount = _withdrawAmount(d, op.mode, op.raw, balance);
        uint256 tokensOut = _toTokensModel(d, amount);
        uint256 debit = _toInternalModel(d, tokensOut);
        uint256 toBefore = token.balanceOf(to);
        vm.prank(account);
        if (tokensOut == 0) {
            vm.expectRevert(IVaultEE.ZeroAmount.selector);
        } else if (debit > balance) {
            vm.expectRevert(abi.encodeWithSelector(IVaultEE.InsufficientBalance.selector, account, balance, debit));
        }
        ex.withdrawTo(to, amount);
        if (tokensOut == 0 || debit > balance) return;

        assertEq(uint256(ex.balanceOf(account)), balance - debit, "withdraw debit");
        assertEq(token.balanceOf(to) - toBefore, tokensOut - tokensOut * feeBps / 10_000, "recipient");
        _out += tokensOut;
        _debited += debit;
    }

    /*//////////////////////////////////////////////////////////////
                                 HELPERS
    //////////////////////////////////////////////////////////////*/

    /// @dev Specification of the conversions: scale up exactly for at most 18 decimals, scale down
    /// rounding down above; whole token units for a withdrawal.
    function _toInternalModel(uint8 d, uint256 t) internal pure returns (uint256) {
        return d <= 18 ? t * 10 ** (18 - d) : t / 10 ** (d - 18);
    }

    function _toTokensModel(uint8 d, uint256 a) internal pure returns (uint256) {
        return d <= 18 ? a / 10 ** (18 - d) : a * 10 ** (d - 18);
    }

    /// @dev The vault holds at least the sum of balances: held tokens are worth at least `sum`,
    /// exactly `sum` for tokens of at most 18 decimals.
    function _assertBacked(IExchange ex, IERC20 token, uint8 d, uint256 sum) internal view {
        uint256 held = token.balanceOf(address(ex));
        if (d <= 18) {
            assertEq(held * 10 ** (18 - d), sum, "held tokens != sum of balances");
        } else {
            assertGe(held, sum * 10 ** (d - 18), "held tokens < sum of balances");
        }
    }

    function _sumOf(IExchange ex, address a, address b, address c) internal view returns (uint256) {
        return uint256(ex.balanceOf(a)) + uint256(ex.balanceOf(b)) + uint256(ex.balanceOf(c));
    }

    function _pick(uint8 dSel) internal view returns (IExchange, IMintableERC20, uint8) {
        uint256 i = dSel % 4;
        return (exchanges[i], IMintableERC20(address(tokens[i])), _decimals(dSel));
    }

    function _decimals(uint8 dSel) internal pure returns (uint8) {
        uint256 i = dSel % 4;
        return i == 0 ? 0 : (i == 1 ? 6 : (i == 2 ? 18 : 24));
    }

    /// @dev Fee in basis points: often 0, 1 or 10,000 (everything burnt), else any.
    function _feeBps(uint16 raw) internal pure returns (uint256) {
        uint256 m = raw % 8;
        if (m == 0) return 0;
        if (m == 1) return 1;
        if (m == 2) return 10_000;
        return (raw >> 3) % 10_001;
    }

    /// @dev A token amount: a few units, up to 1,000 whole tokens, up to 10^40 units (but never worth
    /// 2^123 wad or more), or a multiple of one whole token plus a few units. Every amount credits
    /// less than 2^123, so the at most `OPS` deposits of a run keep each balance below 2^127 (balances
    /// are int128; the overflow itself has its own tests).
    function _tokenAmount(uint8 d, uint8 mode, uint256 raw) internal pure returns (uint256) {
        uint256 m = mode % 4;
        if (m == 0) return raw % 10;
        if (m == 1) return raw % (1000 * 10 ** d + 1);
        if (m == 2) return raw % _min(1e40, _maxUnits(d));
        return (raw % 1000) * 10 ** d + (raw >> 128) % 10;
    }

    /// @dev The number of token units worth less than 2^123 wad.
    function _maxUnits(uint8 d) internal pure returns (uint256) {
        return d <= 18 ? ((uint256(1) << 123) - 1) / 10 ** (18 - d) + 1 : (uint256(1) << 123) * 10 ** (d - 18);
    }

    function _min(uint256 a, uint256 b) internal pure returns (uint256) {
        return a < b ? a : b;
    }

    /// @dev An 18-decimal withdrawal amount: around one token unit, up to the balance, exactly the
    /// balance, just above it, or anything up to 2^200.
    function _withdrawAmount(uint8 d, uint8 mode, uint256 raw, uint256 balance) internal pure returns (uint256) {
        uint256 unit = d <= 18 ? 10 ** (18 - d) : 1;
        uint256 m = mode % 5;
        if (m == 0) return raw % (2 * unit + 1);
        if (m == 1) return balance == 0 ? 0 : raw % (balance + 1);
        if (m == 2) return balance;
        if (m == 3) return balance + 1 + raw % (2 * unit);
        return raw % (1 << 200);
    }

    /// @dev Mint `amount` to `payer` and let `spender` pull it.
    function _fund(IMintableERC20 token, address spender, address payer, uint256 amount) internal {
        token.mint(payer, amount);
        vm.prank(payer);
        token.approve(spender, amount);
    }
}
