// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {PoolKey, Side} from "../../contracts/interfaces/IMaker.sol";
import {MakerKit} from "./utils/MakerKit.sol";

contract MakerSmokeTest is MakerKit {
    function setUp() public {
        _deployWithMaker(8);
        _root(R, 0, 1e18);
    }

    function test_smoke() public {
        PoolKey memory key = _pool(carol, R, 1, 100e18, 0);
        (uint256 pl, uint256 ps) = maker.prices(_id(key));
        assertEq(pl, 5e17);
        assertEq(ps, 5e17);
        _fund(alice, 1000e18);
        uint256 g = gasleft();
        int256 c = _buy(alice, key, Side.Long, 10e18);
        uint256 used = g - gasleft();
        emit log_named_uint("first buy gas (incl prank)", used);
        emit log_named_int("cost", c);
        g = gasleft();
        int256 c2 = _buy(alice, key, Side.Long, 10e18);
        emit log_named_uint("second buy gas", g - gasleft());
        emit log_named_int("cost2", c2);
        int256 p = _sell(alice, key, Side.Long, 20e18);
        emit log_named_int("proceeds", p);
        assertLe(p, c + c2);
        (int256 w, int256 bal) = ex.worstCase(address(uint160(uint256(_id(key)))));
        emit log_named_int("pool worst", w);
        emit log_named_int("pool bal", bal);
    }
}
