"""What each kind of spreadsheet holds, how its rows find existing records, and which
service writes them: one module per kind, the shared lookups in :mod:`.base`.

Every row goes through the same service a person uses on the page, so an import
obeys exactly the rules of the product, its permissions and its audit trail.
Rows find existing records by natural key:

- accounts: the account name (brackets of either width, spaces, case ignored);
- people: account + name, or account + phone when the name differs;
- opportunities: account + opportunity name;
- activities: account + kind + start time;
- contracts: the contract number, invoices by invoice number;
- payments: account + bank reference (without a reference, each row is a new payment).

Who may import what: nobody gets further than on the pages. Rows name accounts
the importer may change (a rep: their own and their accounts' teams'; a manager:
the team's; finance: none, finance reads accounts); an account they may not see
reads as "no such account". Owners are colleagues the importer sees. Invoices and
payments are finance's (and administrators'), as in receivables.
"""

from __future__ import annotations

from kam.core.models import User
from kam.imports.kinds.accounts import AccountImporter
from kam.imports.kinds.activities import ActivityImporter
from kam.imports.kinds.base import (
    CREATE,
    UNCHANGED,
    UPDATE,
    Importer,
    Outcome,
    Progress,
    RowErrors,
    RowRefused,
    problems_of,
    refuse,
)
from kam.imports.kinds.contacts import ROLE_SYNONYMS, ContactImporter
from kam.imports.kinds.contracts import ContractImporter
from kam.imports.kinds.opportunities import OpportunityImporter
from kam.imports.kinds.payments import PaymentImporter

IMPORTERS: dict[str, type[Importer]] = {
    importer.kind: importer
    for importer in (
        AccountImporter,
        ContactImporter,
        OpportunityImporter,
        ActivityImporter,
        ContractImporter,
        PaymentImporter,
    )
}


def importer_for(kind: str, by: User | None, via: str) -> Importer:
    return IMPORTERS[kind](by, via)


__all__ = [
    "CREATE",
    "IMPORTERS",
    "ROLE_SYNONYMS",
    "UNCHANGED",
    "UPDATE",
    "AccountImporter",
    "ActivityImporter",
    "ContactImporter",
    "ContractImporter",
    "Importer",
    "OpportunityImporter",
    "Outcome",
    "PaymentImporter",
    "Progress",
    "RowErrors",
    "RowRefused",
    "importer_for",
    "problems_of",
    "refuse",
]
