// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Bounds} from "../libraries/BoundsLib.sol";
import {OpenOrder, Position} from "../libraries/PositionLib.sol";
import {TradeType} from "../libraries/OrderStructs.sol";

/// @dev A root: one slot: owner (20 bytes) + branch count (2) + highest branch with orders (2) +
/// number of orders placed in the root (6), which orders its book: the earlier of two matched orders
/// has the lower number + flags (1: `ROOT_FROZEN`, `ROOT_SETTLED`, `ROOT_MANAGED`, `ROOT_FLAGGED`).
/// Placing an order and matching read this slot anyway, so counting and the flag checks cost no
/// extra storage read.
struct Root {
    address owner;
    uint16 branchCount;
    uint16 maxOrderedBranch;
    uint48 orderCount;
    uint8 flags;
}

/// @dev The root's owner or oracle froze it: no orders, matches or pool trades until unfrozen.
uint8 constant ROOT_FROZEN = 1;
/// @dev The root's bounds are a point (its outcome): mirrors `bounds[root][1].isPoint()` for
/// readers that load only this slot (a pool trade).
uint8 constant ROOT_SETTLED = 2;
/// @dev A managed root (an artifact's market, protocol.md section 6): the Exchange keeps its
/// aggregates for a flagged settlement, only its owner claims for traders, and a freeze also
/// stops cancels, reductions and withdrawals of the collateral its positions need.
uint8 constant ROOT_MANAGED = 4;
/// @dev A managed root closed at the flagged terms: no trading; claims pay the flagged payoffs.
uint8 constant ROOT_FLAGGED = 8;

/// @dev A root account is in its trader's root list (the check's slow path walks it).
uint8 constant LISTED = 1;
/// @dev The trader has claimed the settled root (their root account is closed).
uint8 constant CLAIMED = 2;

/// @dev A book entry: one slot, written once: trade type (1 byte) + matched flag (1) + the order's
/// slot among its trader's open orders in the root (1) + its number in the root's book (6).
/// A Primary order is open while that slot holds an `OpenOrder` with the same number and a
/// non-zero quantity; its open quantity lives there alone.
/// Gas: one home for the open quantity saves a match a write per side (2,900 each) and a cancel,
/// a reduction and a pool fill one.
struct OrderRecord {
    TradeType tradeType;
    bool isMatched;
    uint8 slot;
    uint48 seq;
}

/// @dev One slot per account, read together by every collateral check: the balance (18 decimals,
/// signed, 16 bytes), the sum of the account's cached per-root worst cases (`Collateral`, 15 bytes)
/// and the number of roots on its root list (1).
/// Gas: the list's length rides in this slot, which every order and pool trade writes anyway
/// (the sum): listing a root costs no slot of its own for the length (a first write would be
/// 22,100 gas, a later one 5,000).
struct Account {
    int128 balance;
    int120 worstSum;
    uint8 rootCount;
}

/// @dev A trader's state in one root: one slot: cached worst case (16 bytes) + branch mask (8; bit
/// b-1 = branch b has a position or an order) + open-order mask (6; bit i = slot i holds an open
/// order) + index in the trader's root list (1) + flags (1: `LISTED`, `CLAIMED`).
struct RootAccount {
    int128 worst;
    uint64 branchMask;
    uint48 orderMask;
    uint8 listIndex;
    uint8 flags;
}

/// @dev A managed root's aggregates over every account's position (pool included), kept on every
/// position write there: the flagged settlement needs them to fix every payoff in O(1) (protocol.md
/// section 6). Wad; each position's share rounded up (`PositionLib.exposure`).
struct RootTotals {
    uint128 shortInterest;
    uint128 longCommitted;
    uint128 shortCommitted;
}

/// @dev The flagged terms of a root, fixed when it was flagged: the fraction (wad) of the returns and
/// of the bonuses paid, and the residual account (the pool) with its payoff.
struct FlagTerms {
    uint64 returnRate;
    uint64 bonusRate;
    int128 residualPayoff;
    address residual;
}

/// @title ExchangeStorage
/// @notice The one storage of an Exchange address, shared by the Exchange and every module it
/// delegates to: an ERC-7201 namespaced struct, so every part reaches the same slots by construction
/// (no inherited state variables whose order must agree).
/// @custom:storage-location erc7201:pmarket.storage.Exchange
library ExchangeStorage {
    /// @dev Every field, grouped by the concern that writes it.
    struct Layout {
        // Markets (protocol.md section 1)
        mapping(uint256 rootId => Root) roots;
        mapping(uint256 rootId => mapping(uint16 branchId => Bounds)) bounds;
        mapping(uint256 rootId => mapping(address oracle => bool)) oracles;
        mapping(address signer => uint256) nonces;
        // Orders (section 4)
        mapping(bytes32 orderHash => OrderRecord) book;
        mapping(address trader => bytes32) chainHead;
        // Vault and the collateral check (sections 2 and 3)
        mapping(address account => Account) accounts;
        mapping(address trader => mapping(uint256 rootId => RootAccount)) rootAccounts;
        mapping(address trader => mapping(uint256 rootId => mapping(uint16 branchId => Position))) positions;
        mapping(address trader => mapping(uint256 rootId => mapping(uint256 slot => OpenOrder))) openOrders;
        // The trader's root list: `Account.rootCount` entries, in listing order (removal swaps the last in)
        mapping(address trader => mapping(uint256 index => uint256 rootId)) rootList;
        // Settlement: per settled root, losses paid in by claims not yet paid out as gains
        mapping(uint256 rootId => uint256) pots;
        // Managed roots (section 6)
        mapping(uint256 rootId => RootTotals) totals;
        mapping(uint256 rootId => FlagTerms) flagTerms;
    }

    /// @dev keccak256(abi.encode(uint256(keccak256("pmarket.storage.Exchange")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 internal constant SLOT = 0xbd7a141d023ed3994bd22999d729016dd3ee186f0703c9e746f52dcde8a33a00;

    /// @dev The layout at its namespaced slot.
    function layout() internal pure returns (Layout storage $) {
        assembly ("memory-safe") {
            $.slot := SLOT
        }
    }
}
