// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {Multicall} from "@openzeppelin/contracts/utils/Multicall.sol";

import {ICollateral} from "./interfaces/ICollateral.sol";
import {IMarkets} from "./interfaces/IMarkets.sol";
import {IMatching} from "./interfaces/IMatching.sol";
import {IOrders} from "./interfaces/IOrders.sol";
import {IVault} from "./interfaces/IVault.sol";
import {Bounds} from "./libraries/BoundsLib.sol";
import {MatchRequest, Order} from "./libraries/OrderStructs.sol";
import {Collateral} from "./mixins/Collateral.sol";
import {Markets} from "./mixins/Markets.sol";
import {Matching} from "./mixins/Matching.sol";
import {PoolTrades} from "./mixins/PoolTrades.sol";
import {PoolAccountsBase} from "./mixins/PoolAccountsBase.sol";
import {Vault} from "./mixins/Vault.sol";

/// @dev The one view of the maker the constructor needs.
interface IMakerBinding {
    function exchange() external view returns (address);
}

/// @dev The one view of the extension the constructor needs.
interface IExtensionConfig {
    function extensionConfig() external view returns (address, uint16, uint8, uint8, address);
}

/// @title pmarket Exchange
/// @notice One deployment of pmarket: the market registry, the append-only book of wallet-signed
/// orders, the collateral vault with its exact check, and matching. The mixins hold each concern's
/// storage and rules; this contract exposes their entry points, grouped by concern. Claims,
/// cancels, reductions, root administration, the maker's rarer hooks and the heavy views live in an
/// `ExchangeExtension`, deployed just before, that this contract reaches by `delegatecall`
/// (fallback): one address, one storage, one ABI (`IExchange`), under the 24 KB code-size limit of
/// every EVM chain. A trade with a market maker pool arrives from the deployment's `Maker`
/// (`poolTrade`). `multicall` (from
/// OpenZeppelin) runs several entry points in one transaction: a relayer can place two crossing
/// signed orders and match them atomically, or a trader reduce an order and place a new one.
/// @dev The EIP-712 domain is `("pmarket", "1", chainid, address(this))`, so a signed order or
/// definition is valid on this deployment only.
contract Exchange is IMarkets, IOrders, IVault, ICollateral, IMatching, Matching, PoolTrades, Multicall {
    /// @notice The extension this Exchange delegates its other entry points to.
    address public immutable extension;

    /// @param collateral_ The ERC-20 collateral token (any decimals up to 36).
    /// @param maxBranches_ The most branches (root included) one root may have, 1..64; it bounds the
    /// loops of sub-market definitions and of the collateral check.
    /// @param maxOpenOrders_ The most open orders one trader may keep in one root, 1..48.
    /// @param maxRoots_ The most roots one trader may be active in at once, 1..255.
    /// @param maker_ The LMSR maker (`Maker`) that may trade pool accounts, deployed before and
    /// naming this Exchange's address; zero for a deployment without a maker.
    /// @param extension_ The `ExchangeExtension` built with the same parameters, deployed before (its
    /// creation code inside this one's would pass the 48 KB initcode limit of EIP-3860).
    constructor(
        IERC20 collateral_,
        uint16 maxBranches_,
        uint8 maxOpenOrders_,
        uint8 maxRoots_,
        address maker_,
        address extension_
    )
        EIP712("pmarket", "1")
        Markets(maxBranches_)
        Vault(collateral_)
        Collateral(maxOpenOrders_, maxRoots_)
        PoolAccountsBase(maker_)
    {
        // The maker knows its Exchange as an immutable too: it must name this one.
        if (maker_ != address(0) && IMakerBinding(maker_).exchange() != address(this)) revert MakerMismatch(maker_);
        (address c, uint16 b, uint8 o, uint8 r, address m) = IExtensionConfig(extension_).extensionConfig();
        if (c != address(collateral_) || b != maxBranches_ || o != maxOpenOrders_ || r != maxRoots_ || m != maker_) {
            revert ExtensionMismatch(extension_);
        }
        extension = extension_;
    }

    /// @notice Every other entry point of `IExchange` runs in the extension, on this storage.
    fallback() external {
        address ext = extension;
        assembly ("memory-safe") {
            calldatacopy(0, 0, calldatasize())
            let ok := delegatecall(gas(), ext, 0, calldatasize(), 0, 0)
            returndatacopy(0, 0, returndatasize())
            if iszero(ok) { revert(0, returndatasize()) }
            return(0, returndatasize())
        }
    }

    /*//////////////////////////////////////////////////////////////
                                MARKETS
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc IMarkets
    function defineMarket(uint256 rootId, uint16 branchId, int128 min, int128 max) external {
        _define(msg.sender, rootId, branchId, min, max);
    }

    /// @inheritdoc IMarkets
    function settle(uint256 rootId, int128 outcome) external {
        _settle(msg.sender, rootId, outcome);
    }

    /// @inheritdoc IMarkets
    function bounds(uint256 rootId, uint16 branchId) external view returns (int128 min, int128 max) {
        Bounds memory b = _effectiveBounds(rootId, branchId);
        return (b.min, b.max);
    }

    /// @inheritdoc IMarkets
    function rootInfo(uint256 rootId) external view returns (address owner, uint16 branchCount, uint16 maxOrderedBranch) {
        Root storage r = _roots[rootId];
        return (r.owner, r.branchCount, r.maxOrderedBranch);
    }

    /// @inheritdoc IMarkets
    function maxBranches() external view returns (uint16) {
        return _maxBranches;
    }

    /*//////////////////////////////////////////////////////////////
                                 ORDERS
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc IOrders
    function placeOrder(Order calldata order, bytes calldata signature) external returns (bytes32) {
        return _placeOrder(order, signature);
    }

    /// @inheritdoc IOrders
    function hashOrder(Order calldata order) external view returns (bytes32) {
        return _orderHash(order);
    }

    /// @inheritdoc IOrders
    function orderState(bytes32 orderHash)
        external
        view
        returns (uint8 tradeType, bool isMatched, uint128 remaining, uint8 slot, uint64 seq)
    {
        OrderRecord memory rec = _book[orderHash];
        return (uint8(rec.tradeType), rec.isMatched, rec.remaining, rec.slot, rec.seq);
    }

    /// @inheritdoc IOrders
    function chainHead(address trader) external view returns (bytes32) {
        return _chainHead[trader];
    }

    /*//////////////////////////////////////////////////////////////
                                MATCHING
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc IMatching
    function matchOrders(MatchRequest calldata request) external {
        _match(request);
    }

    /// @inheritdoc IMatching
    function matchPair(Order calldata bid, Order calldata ask, uint128 quantity) external {
        _matchPair(bid, ask, quantity);
    }

    /// @inheritdoc IMatching
    function matchBatch(MatchRequest[] calldata requests) external returns (uint256 matched) {
        for (uint256 i; i < requests.length; ++i) {
            // An external self-call, so that a failing match reverts alone.
            try this.matchOrders(requests[i]) {
                ++matched;
            } catch (bytes memory reason) {
                emit MatchSkipped(i, reason);
            }
        }
    }

    /*//////////////////////////////////////////////////////////////
                            VAULT AND CHECK
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc IVault
    function deposit(uint256 tokenAmount) external {
        _deposit(msg.sender, tokenAmount);
    }

    /// @inheritdoc IVault
    function depositFor(address account, uint256 tokenAmount) external {
        if (account == address(0)) revert ZeroAddress();
        _deposit(account, tokenAmount);
    }

    /// @inheritdoc IVault
    function withdraw(uint256 amount) external {
        _withdraw(msg.sender, msg.sender, amount);
    }

    /// @inheritdoc IVault
    function withdrawTo(address to, uint256 amount) external {
        if (to == address(0)) revert ZeroAddress();
        _withdraw(msg.sender, to, amount);
    }

    /// @inheritdoc IVault
    function balanceOf(address account) external view returns (int256) {
        return _accounts[account].balance;
    }

    /// @inheritdoc IVault
    function collateral() external view returns (address) {
        return address(_collateral);
    }

    /// @inheritdoc IVault
    function toInternal(uint256 tokenAmount) external view returns (uint256) {
        return _toInternal(tokenAmount);
    }

    /// @inheritdoc IVault
    function toTokens(uint256 amount) external view returns (uint256) {
        return _toTokens(amount);
    }

    /// @inheritdoc ICollateral
    function maxOpenOrders() external view returns (uint8) {
        return _maxOpenOrders;
    }

    /// @inheritdoc ICollateral
    function maxRoots() external view returns (uint8) {
        return _maxRoots;
    }
}
