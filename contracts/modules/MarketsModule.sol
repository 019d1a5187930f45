// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";

import {Markets} from "../exchange/Markets.sol";
import {ExchangeBase} from "../exchange/ExchangeBase.sol";
import {ROOT_FROZEN} from "../exchange/ExchangeStorage.sol";
import {Definition} from "../libraries/OrderStructs.sol";
import {Module} from "./Module.sol";

/// @title MarketsModule
/// @notice The market registry's rarer entry points (`IMarkets`), behind the Exchange's fallback:
/// relayed signed definitions, oracles, ownership, freezes and their views. The rules are in `Markets`.
contract MarketsModule is Module, Markets {
    /// @dev `concern()` of this module.
    bytes32 internal constant CONCERN = keccak256("pmarket.module.markets");

    constructor(IERC20 collateral_, uint16 maxBranches_, uint8 maxOpenOrders_, uint8 maxRoots_)
        ExchangeBase(collateral_, maxBranches_, maxOpenOrders_, maxRoots_)
        EIP712("pmarket", "1")
    {}

    /// @notice See {IMarkets-defineMarketBySig}. Authority: the signer's EIP-712 signature (owner or
    /// oracle of the root); anyone may relay it.
    function defineMarketBySig(Definition calldata d, bytes calldata signature) external {
        _defineBySig(d, signature);
    }

    /// @notice See {IMarkets-setOracle}. Authority: the root's owner (caller).
    function setOracle(uint256 rootId, address oracle, bool authorized) external {
        _setOracle(rootId, oracle, authorized);
    }

    /// @notice See {IMarkets-transferRootOwnership}. Authority: the root's owner (caller).
    function transferRootOwnership(uint256 rootId, address newOwner) external {
        _transferRootOwnership(rootId, newOwner);
    }

    /// @notice See {IMarkets-setFrozen}. Authority: the root's owner or an oracle (a posting).
    function setFrozen(uint256 rootId, bool frozen) external {
        _setFrozen(rootId, frozen);
    }

    /// @notice See {IMarkets-isFrozen}.
    function isFrozen(uint256 rootId) external view returns (bool) {
        return _s().roots[rootId].flags & ROOT_FROZEN != 0;
    }

    /// @notice See {IMarkets-canDefine}.
    function canDefine(uint256 rootId, address account) external view returns (bool) {
        return _canDefine(rootId, account);
    }

    /// @notice See {IMarkets-isOracle}.
    function isOracle(uint256 rootId, address oracle) external view returns (bool) {
        return _s().oracles[rootId][oracle];
    }

    /// @notice See {IMarkets-hashDefinition}.
    function hashDefinition(Definition calldata d) external view returns (bytes32) {
        return _hashDefinition(d);
    }

    /// @notice See {IMarkets-nonces}.
    function nonces(address signer) external view returns (uint256) {
        return _s().nonces[signer];
    }

    /// @notice See {IMarkets-maxBranches}.
    function maxBranches() external view returns (uint16) {
        return _maxBranches;
    }

    function _concern() internal pure override returns (bytes32) {
        return CONCERN;
    }
}
