// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {Multicall} from "@openzeppelin/contracts/utils/Multicall.sol";

import {Maker} from "./Maker.sol";
import {ExchangeBase} from "./exchange/ExchangeBase.sol";
import {Matching} from "./exchange/Matching.sol";
import {Root, RootAccount} from "./exchange/ExchangeStorage.sol";
import {CollateralModule} from "./modules/CollateralModule.sol";
import {PoolHooks} from "./exchange/PoolHooks.sol";
import {Vault} from "./exchange/Vault.sol";
import {IExchangeEE} from "./interfaces/IExchange.sol";
import {IManagedRoots} from "./interfaces/IManagedRoots.sol";
import {IMatching} from "./interfaces/IMatching.sol";
import {IMarkets} from "./interfaces/IMarkets.sol";
import {IOrders} from "./interfaces/IOrders.sol";
import {IPools} from "./interfaces/IPools.sol";
import {ISettlement} from "./interfaces/ISettlement.sol";
import {ICollateral} from "./interfaces/ICollateral.sol";
import {IVault} from "./interfaces/IVault.sol";
import {Bounds} from "./libraries/BoundsLib.sol";
import {MatchRequest, Order} from "./libraries/OrderStructs.sol";
import {Position, PositionLib} from "./libraries/PositionLib.sol";

/// @dev The one view of a module the constructor needs.
interface IModule {
    function moduleInfo() external view returns (bytes32 concern, bytes32 config);
}

/// @title pmarket Exchange
/// @notice One deployment of pmarket at one address (ABI: `IExchange`): the market registry, the
/// append-only book of wallet-signed orders, the collateral vault with its exact check, matching and
/// the market maker's hooks. The rules live in `contracts/exchange/`, one contract per concern, on
/// one namespaced storage (`ExchangeStorage`). This contract serves the hot paths itself
/// (definitions, placement, matching, deposits and withdrawals, pool trades, the views the maker
/// reads); every other entry point is served by the module of its concern (`contracts/modules/`),
/// which the fallback reaches by one `delegatecall` after one lookup in its selector table
/// (`_route`). The Exchange creates its LMSR `Maker` itself, so the two know each other's address
/// without any prediction. `multicall` (OpenZeppelin) runs several entry points in one transaction.
/// @dev The EIP-712 domain is `("pmarket", "1", chainid, address(this))`, so a signed order or
/// definition is valid on this deployment only.
contract Exchange is IExchangeEE, Vault, Matching, PoolHooks, Multicall {
    /// @notice The modules, one per concern, that a deployment is built from.
    struct Modules {
        address markets;
        address orders;
        address matching;
        address settlement;
        address pools;
        address managed;
        address collateral;
    }

    /// @dev The LMSR maker this Exchange created (zero for a deployment without one).
    address internal immutable _maker;
    address internal immutable _marketsModule;
    address internal immutable _ordersModule;
    address internal immutable _matchingModule;
    address internal immutable _settlementModule;
    address internal immutable _poolsModule;
    address internal immutable _managedModule;
    address internal immutable _collateralModule;

    /// @param collateral_ The ERC-20 collateral token (any decimals up to 36).
    /// @param maxBranches_ The most branches (root included) one root may have, 1..64; it bounds the
    /// loops of sub-market definitions and of the collateral check.
    /// @param maxOpenOrders_ The most open orders one trader may keep in one root, 1..48.
    /// @param maxRoots_ The most roots one trader may be active in at once, 1..255.
    /// @param modules_ The modules, deployed before with the same four constants (`ModuleMismatch`).
    /// @param withMaker Whether to create an LMSR `Maker` bound to this Exchange.
    constructor(
        IERC20 collateral_,
        uint16 maxBranches_,
        uint8 maxOpenOrders_,
        uint8 maxRoots_,
        Modules memory modules_,
        bool withMaker
    ) ExchangeBase(collateral_, maxBranches_, maxOpenOrders_, maxRoots_) EIP712("pmarket", "1") {
        _requireModule(modules_.markets, keccak256("pmarket.module.markets"));
        _requireModule(modules_.orders, keccak256("pmarket.module.orders"));
        _requireModule(modules_.matching, keccak256("pmarket.module.matching"));
        _requireModule(modules_.settlement, keccak256("pmarket.module.settlement"));
        _requireModule(modules_.pools, keccak256("pmarket.module.pools"));
        _requireModule(modules_.managed, keccak256("pmarket.module.managed"));
        _requireModule(modules_.collateral, keccak256("pmarket.module.collateral"));
        _marketsModule = modules_.markets;
        _ordersModule = modules_.orders;
        _matchingModule = modules_.matching;
        _settlementModule = modules_.settlement;
        _poolsModule = modules_.pools;
        _managedModule = modules_.managed;
        _collateralModule = modules_.collateral;
        // The maker only stores this address in its constructor (it calls nothing here yet).
        _maker = withMaker ? address(new Maker(address(this))) : address(0);
    }

    /// @notice Every other entry point of `IExchange` runs in the module of its concern, on this
    /// storage, with the caller as `msg.sender` (one lookup, one `delegatecall`).
    fallback() external {
        address target = _route(msg.sig);
        assembly ("memory-safe") {
            calldatacopy(0, 0, calldatasize())
            let ok := delegatecall(gas(), target, 0, calldatasize(), 0, 0)
            returndatacopy(0, 0, returndatasize())
            if iszero(ok) { revert(0, returndatasize()) }
            return(0, returndatasize())
        }
    }

    /// @notice See {IExchange-modules}.
    function modules()
        external
        view
        returns (address[7] memory)
    {
        return [
            _marketsModule, _ordersModule, _matchingModule, _settlementModule, _poolsModule, _managedModule, _collateralModule
        ];
    }

    /*//////////////////////////////////////////////////////////////
                                MARKETS
    //////////////////////////////////////////////////////////////*/

    /// @notice See {IMarkets-defineMarket}. Authority: the caller (a new root's owner; else the
    /// root's owner or an oracle, a posting).
    function defineMarket(uint256 rootId, uint16 branchId, int128 min, int128 max) external {
        _define(msg.sender, rootId, branchId, min, max);
    }

    /// @notice See {IMarkets-settle}. Authority: the root's owner or an oracle (a posting).
    function settle(uint256 rootId, int128 outcome) external {
        _settle(msg.sender, rootId, outcome);
    }

    /// @notice See {IMarkets-bounds}.
    function bounds(uint256 rootId, uint16 branchId) external view returns (int128 min, int128 max) {
        Bounds memory b = _effectiveBounds(rootId, branchId);
        return (b.min, b.max);
    }

    /// @notice See {IMarkets-rootInfo}.
    function rootInfo(uint256 rootId) external view returns (address owner, uint16 branchCount, uint16 maxOrderedBranch) {
        Root storage r = _s().roots[rootId];
        return (r.owner, r.branchCount, r.maxOrderedBranch);
    }

    /*//////////////////////////////////////////////////////////////
                                 ORDERS
    //////////////////////////////////////////////////////////////*/

    /// @notice See {IOrders-placeOrder}. Authority: the trader's signature on the order; anyone may
    /// relay it.
    function placeOrder(Order calldata order, bytes calldata signature) external returns (bytes32) {
        return _placeOrder(order, signature);
    }

    /*//////////////////////////////////////////////////////////////
                                MATCHING
    //////////////////////////////////////////////////////////////*/

    /// @notice See {IMatching-matchOrders}. Authority: both owners' signatures on the orders (and
    /// Partials), each filled within its limit; anyone may call.
    function matchOrders(MatchRequest calldata request) external {
        _match(request);
    }

    /// @notice See {IMatching-matchPair}. Authority: as `matchOrders`.
    function matchPair(Order calldata bid, Order calldata ask, uint128 quantity) external {
        _matchPair(bid, ask, quantity);
    }

    /*//////////////////////////////////////////////////////////////
                                 VAULT
    //////////////////////////////////////////////////////////////*/

    /// @notice See {IVault-deposit}. Authority: the caller (their own tokens).
    function deposit(uint256 tokenAmount) external {
        _deposit(msg.sender, tokenAmount);
    }

    /// @notice See {IVault-depositFor}. Authority: the caller's tokens, credited to `account`.
    function depositFor(address account, uint256 tokenAmount) external {
        if (account == address(0)) revert ZeroAddress();
        _deposit(account, tokenAmount);
    }

    /// @notice See {IVault-withdraw}. Authority: the caller (their own balance).
    function withdraw(uint256 amount) external {
        _withdraw(msg.sender, msg.sender, amount);
    }

    /// @notice See {IVault-withdrawTo}. Authority: the caller (their own balance).
    function withdrawTo(address to, uint256 amount) external {
        if (to == address(0)) revert ZeroAddress();
        _withdraw(msg.sender, to, amount);
    }

    /// @notice See {IVault-balanceOf}.
    function balanceOf(address account) external view returns (int256) {
        return _s().accounts[account].balance;
    }

    /// @notice See {IVault-toInternal}.
    function toInternal(uint256 tokenAmount) external view returns (uint256) {
        return _toInternal(tokenAmount);
    }

    /// @notice See {IVault-toTokens}.
    function toTokens(uint256 amount) external view returns (uint256) {
        return _toTokens(amount);
    }

    /// @notice See {ICollateral-position}. Here rather than in the collateral module: the artifact
    /// registry's settlement and the maker's closes read it on their paths.
    function position(address trader, uint256 rootId, uint16 branchId) external view returns (int256 quantity, int256 cost) {
        Position memory p = _s().positions[trader][rootId][branchId];
        return (p.quantity, PositionLib.cost36(p));
    }

    /*//////////////////////////////////////////////////////////////
                                 POOLS
    //////////////////////////////////////////////////////////////*/

    /// @notice See {IPools-maker}.
    function maker() external view returns (address) {
        return _maker;
    }

    /// @notice See {IPools-poolTrade}. Authority: the maker, for the trader who called it (or a
    /// managed root owner's close of the holder's own position).
    function poolTrade(
        address trader,
        address pool,
        uint256 rootId,
        uint16 branchId,
        int256 quantity,
        int256 cost,
        int256 worst
    ) external {
        if (msg.sender != _maker) revert NotMaker(msg.sender);
        _poolTrade(trader, pool, rootId, branchId, quantity, cost, worst);
    }

    /*//////////////////////////////////////////////////////////////
                                 ROUTING
    //////////////////////////////////////////////////////////////*/

    /// @dev The selector table: the module serving `selector`. Gas: one comparison (about 22 gas)
    /// per entry before the match, so the entries other contracts call on their paths come first
    /// (the registry's claims, the maker's hooks, cancels), the views users read by `eth_call` last.
    /// The pool hooks are the maker's only (`NotMaker`). `tests/test_architecture.py` checks that this
    /// table and the modules' ABIs agree.
    function _route(bytes4 s) internal view returns (address) {
        if (s == ISettlement.claimFor.selector || s == ISettlement.hasClaimed.selector) return _settlementModule;
        if (s == IPools.poolFill.selector || s == IPools.poolOpen.selector || s == IPools.poolRelease.selector) {
            if (msg.sender != _maker) revert NotMaker(msg.sender);
            return _poolsModule;
        }
        if (s == IOrders.cancelOrder.selector || s == IOrders.reduceOrder.selector) return _ordersModule;
        if (s == ISettlement.claim.selector || s == ISettlement.claimMany.selector) return _settlementModule;
        if (
            s == IManagedRoots.isManaged.selector || s == IManagedRoots.manageRoot.selector
                || s == IManagedRoots.flagRoot.selector
        ) return _managedModule;
        if (s == IMarkets.setFrozen.selector || s == IMarkets.defineMarketBySig.selector) return _marketsModule;
        if (s == IMatching.matchBatch.selector) return _matchingModule;
        // Views, read by eth_call.
        if (
            s == IOrders.orderState.selector || s == IOrders.chainHead.selector || s == IOrders.hashOrder.selector
        ) return _ordersModule;
        if (
            s == ICollateral.worstCase.selector || s == ICollateral.rootWorstCase.selector
                || s == ICollateral.openOrders.selector || s == ICollateral.traderRoots.selector
                || s == ICollateral.maxOpenOrders.selector || s == ICollateral.maxRoots.selector
                || s == IVault.collateral.selector
        ) return _collateralModule;
        if (s == ISettlement.pot.selector) return _settlementModule;
        if (s == IManagedRoots.rootTotals.selector || s == IManagedRoots.flagTerms.selector) return _managedModule;
        if (
            s == IMarkets.setOracle.selector || s == IMarkets.transferRootOwnership.selector
                || s == IMarkets.isFrozen.selector || s == IMarkets.canDefine.selector
                || s == IMarkets.isOracle.selector || s == IMarkets.hashDefinition.selector
                || s == IMarkets.nonces.selector || s == IMarkets.maxBranches.selector
        ) return _marketsModule;
        revert UnknownSelector(s);
    }

    /// @dev The exact check past its fast path runs in the collateral module (see `Collateral`).
    function _checkExactly(address trader, uint256 rootId, RootAccount memory ra) internal override {
        _delegate(abi.encodeCall(CollateralModule.checkExactly, (trader, rootId, ra)));
    }

    /// @dev The withdrawal check past its fast path, likewise.
    function _withdrawableExactly(address account) internal override {
        _delegate(abi.encodeCall(CollateralModule.withdrawableExactly, (account)));
    }

    /// @dev `delegatecall` the collateral module with `data`; its refusal is this call's.
    function _delegate(bytes memory data) private {
        (bool ok, bytes memory reason) = _collateralModule.delegatecall(data);
        if (!ok) {
            assembly ("memory-safe") {
                revert(add(reason, 0x20), mload(reason))
            }
        }
    }

    /// @dev `module` must serve `concern` and carry this Exchange's deployment constants.
    /// A module with no code, or without `moduleInfo`, is refused by the same error.
    function _requireModule(address module, bytes32 concern) private view {
        if (module.code.length == 0) revert ModuleMismatch(module, concern);
        try IModule(module).moduleInfo() returns (bytes32 c, bytes32 config) {
            if (c != concern || config != _configHash()) revert ModuleMismatch(module, concern);
        } catch {
            revert ModuleMismatch(module, concern);
        }
    }
}
