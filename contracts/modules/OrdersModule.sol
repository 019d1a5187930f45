// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";

import {ExchangeBase} from "../exchange/ExchangeBase.sol";
import {Collateral} from "../exchange/Collateral.sol";
import {OrderRecord} from "../exchange/ExchangeStorage.sol";
import {Order} from "../libraries/OrderStructs.sol";
import {Module} from "./Module.sol";

/// @title OrdersModule
/// @notice The owner's amendments of an open order (`IOrders`), behind the Exchange's fallback: a
/// cancel by a signed Offset, a trim by a signed Reduction; and the book's views. The rules are in
/// `Orders`.
contract OrdersModule is Module, Collateral {
    /// @dev `concern()` of this module.
    bytes32 internal constant CONCERN = keccak256("pmarket.module.orders");

    constructor(IERC20 collateral_, uint16 maxBranches_, uint8 maxOpenOrders_, uint8 maxRoots_)
        ExchangeBase(collateral_, maxBranches_, maxOpenOrders_, maxRoots_)
        EIP712("pmarket", "1")
    {}

    /// @notice See {IOrders-cancelOrder}. Authority: the order owner's signature on the Offset;
    /// anyone may relay it.
    function cancelOrder(Order calldata order, Order calldata offset, bytes calldata signature) external {
        _cancel(order, offset, signature);
    }

    /// @notice See {IOrders-reduceOrder}. Authority: the order owner's signature on the Reduction;
    /// anyone may relay it.
    function reduceOrder(Order calldata order, Order calldata reduction, bytes calldata signature) external {
        _reduce(order, reduction, signature);
    }

    /// @notice See {IOrders-hashOrder}.
    function hashOrder(Order calldata order) external view returns (bytes32) {
        return _orderHash(order);
    }

    /// @notice See {IOrders-orderState}.
    function orderState(Order calldata order)
        external
        view
        returns (uint8 tradeType, bool isMatched, uint128 remaining, uint8 slot, uint64 seq)
    {
        OrderRecord memory rec = _s().book[_orderHash(order)];
        (, uint128 open) = _openQuantity(order, rec);
        return (uint8(rec.tradeType), rec.isMatched, open, rec.slot, rec.seq);
    }

    /// @notice See {IOrders-chainHead}.
    function chainHead(address trader) external view returns (bytes32) {
        return _s().chainHead[trader];
    }

    function _concern() internal pure override returns (bytes32) {
        return CONCERN;
    }
}
