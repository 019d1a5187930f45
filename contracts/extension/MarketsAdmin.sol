// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";

import {IMarketsAdmin} from "../interfaces/IMarkets.sol";
import {Definition, OrderStructs} from "../libraries/OrderStructs.sol";
import {Markets} from "../mixins/Markets.sol";

/// @title MarketsAdmin
/// @notice Root administration (oracles, ownership) and relayed signed definitions: the rarely
/// called half of the market registry, served by the Exchange's extension.
abstract contract MarketsAdmin is IMarketsAdmin, Markets {
    /// @inheritdoc IMarketsAdmin
    function defineMarketBySig(Definition calldata d, bytes calldata signature) external {
        if (d.deadline != 0 && block.timestamp > d.deadline) revert DefinitionExpired(d.deadline, block.timestamp);
        bytes32 digest = _hashTypedDataV4(OrderStructs.hash(d));
        if (!SignatureChecker.isValidSignatureNowCalldata(d.signer, digest, signature)) {
            revert InvalidDefinitionSignature(d.signer);
        }
        _useCheckedNonce(d.signer, d.nonce);
        emit DefinitionSigned(d.signer, d.nonce, msg.sender);
        _define(d.signer, d.rootId, d.branchId, d.min, d.max);
    }

    /// @inheritdoc IMarketsAdmin
    function setOracle(uint256 rootId, address oracle, bool authorized) external {
        _requireOwner(rootId);
        _oracles[rootId][oracle] = authorized;
        emit OracleSet(rootId, oracle, authorized);
    }

    /// @inheritdoc IMarketsAdmin
    function transferRootOwnership(uint256 rootId, address newOwner) external {
        _requireOwner(rootId);
        if (newOwner == address(0)) revert InvalidOwner(rootId, newOwner);
        _roots[rootId].owner = newOwner;
        emit RootOwnershipTransferred(rootId, msg.sender, newOwner);
    }

    /// @inheritdoc IMarketsAdmin
    function setFrozen(uint256 rootId, bool frozen) external {
        Root storage r = _roots[rootId];
        if (r.owner == address(0)) revert UnknownMarket(rootId, 1);
        if (!_canDefine(rootId, msg.sender)) revert NotMarketOwner(rootId, msg.sender);
        if (r.flags & (ROOT_SETTLED | ROOT_FLAGGED) != 0) _refuseTrading(rootId, r.flags);
        r.flags = frozen ? r.flags | ROOT_FROZEN : r.flags & ~ROOT_FROZEN;
        emit RootFrozen(rootId, frozen, msg.sender);
    }

    /// @inheritdoc IMarketsAdmin
    function isFrozen(uint256 rootId) external view returns (bool) {
        return _roots[rootId].flags & ROOT_FROZEN != 0;
    }

    /// @inheritdoc IMarketsAdmin
    function canDefine(uint256 rootId, address account) external view returns (bool) {
        return _canDefine(rootId, account);
    }

    /// @inheritdoc IMarketsAdmin
    function isOracle(uint256 rootId, address oracle) external view returns (bool) {
        return _oracles[rootId][oracle];
    }

    /// @inheritdoc IMarketsAdmin
    function hashDefinition(Definition calldata d) external view returns (bytes32) {
        return _hashTypedDataV4(OrderStructs.hash(d));
    }
}
