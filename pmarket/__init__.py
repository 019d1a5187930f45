"""pmarket: on-chain markets in bounded forward contracts and artifact markets.

The package is split by concern, like the contracts:

- :mod:`pmarket.wad` -- exact decimal <-> 18-decimal integer conversion;
- :mod:`pmarket.typed` -- the EIP-712 domain and typed messages (orders, definitions), signing;
- :mod:`pmarket.markets` -- the bounds fold (reference model) and the Markets calls;
- :mod:`pmarket.orders` -- the order model, its rules and the Orders calls;
- :mod:`pmarket.vault` -- collateral conversions and the Vault calls;
- :mod:`pmarket.exchange` -- the client over one deployment (deploy, attach, every call);
- :mod:`pmarket.errors` -- the contracts' custom errors as Python exceptions.

Importing ``pmarket`` is cheap: ape is imported only by the modules that talk to a chain.
"""

__version__ = "0.1.0"
