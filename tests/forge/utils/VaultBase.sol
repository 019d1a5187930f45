// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test} from "forge-std/Test.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

import {IExchange} from "../../../contracts/interfaces/IExchange.sol";
import {IVaultEE} from "../../../contracts/interfaces/IVault.sol";
import {FeeToken} from "../../../contracts/test/FeeToken.sol";
import {TestToken} from "../../../contracts/test/TestToken.sol";
import {Deploy} from "./Deploy.sol";

/// @notice The mint function both test tokens share.
interface IMintableERC20 is IERC20 {
    function mint(address to, uint256 amount) external;
}

/// @title VaultBase
/// @notice The vault suites' deployments (tokens of 0, 6, 18 and 24 decimals), ghost accounting and
/// the model conversions they check the contract against.
abstract contract VaultBase is Test {
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
