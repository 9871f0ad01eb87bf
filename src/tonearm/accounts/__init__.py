"""Accounts: users, apps and tokens, the OAuth 2.0 server, and users' rights over their data.

The public face: the account service (who a token acts for, users' artists) and the caller
values it issues, which live below the domains in `kit.caller`.
"""

from tonearm.accounts.service import AccountService, IssuedToken, account
from tonearm.kit.caller import (
    CLI_CLIENT_ID,
    FIRST_PARTY_CLIENTS,
    FREE,
    PREMIUM,
    PRODUCTS,
    ROLES,
    WEB_CLIENT_ID,
    Caller,
    Product,
    Role,
    is_premium,
)

__all__ = [
    "CLI_CLIENT_ID",
    "FIRST_PARTY_CLIENTS",
    "FREE",
    "PREMIUM",
    "PRODUCTS",
    "ROLES",
    "WEB_CLIENT_ID",
    "AccountService",
    "Caller",
    "IssuedToken",
    "Product",
    "Role",
    "account",
    "is_premium",
]
