"""The logarithmic market scoring rule of pmarket's maker (protocol.md section 5), three ways.

- :mod:`pmarket.lmsr.fixed` and :mod:`pmarket.lmsr.pool`: the chain's integer arithmetic, to the
  wei (the node and the scenario tool price pool trades with them);
- :mod:`pmarket.lmsr.exact`: the exact reference in mpmath, for precision tests and the bench;
- :mod:`pmarket.lmsr.analytics`: numpy float64 curves for analysis and plots.
"""

from .pool import Side, Terms, Trade, forward, funding, paid, price, prices, shares_for_cost

__all__ = ["Side", "Terms", "Trade", "forward", "funding", "paid", "price", "prices", "shares_for_cost"]
