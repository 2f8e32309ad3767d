"""Which faults of filing a record are the record's (quarantine it, go on) and which are the
world's (roll back, keep the records pending, retry): ``services.isolation.record_fault``.
The faults themselves are made by real databases in test_server_poison.py; this is the table
that decides between them."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import OperationalError

from sync_server.errors import StoreFault
from sync_server.services.isolation import record_fault, retryable


@pytest.mark.parametrize(("fault", "the_records"), [
    # PostgreSQL: a value too long for its column (the 205-character employer key)
    (StoreFault("DataError", "22001", "cases"), True),
    # PostgreSQL: a value out of range (a seq past BIGINT)
    (StoreFault("DataError", "22003"), True),
    # PostgreSQL: a check constraint (the DETAIL line carries the row)
    (StoreFault("IntegrityError", "23514", "cases", constraint="x"), True),
    # PostgreSQL: deadlock and serialisation failure: retried, never quarantined
    (StoreFault("OperationalError", "40P01"), False),
    (StoreFault("OperationalError", "40001"), False),
    # PostgreSQL: disk full, statement cancelled, admin shutdown
    (StoreFault("OperationalError", "53100"), False),
    (StoreFault("OperationalError", "57014"), False),
    (StoreFault("OperationalError", "57P01"), False),
    # SQLite: constraint (trigger, unique, not null), value too big, type mismatch
    (StoreFault("IntegrityError", "SQLITE_CONSTRAINT_TRIGGER"), True),
    (StoreFault("IntegrityError", "SQLITE_CONSTRAINT_UNIQUE", "cases", "receipt_code"), True),
    (StoreFault("DataError", "SQLITE_TOOBIG"), True),
    # SQLite: the file is busy, the disk is full, an I/O error
    (StoreFault("OperationalError", "SQLITE_BUSY"), False),
    (StoreFault("OperationalError", "SQLITE_FULL"), False),
    (StoreFault("OperationalError", "SQLITE_IOERR_WRITE"), False),
    # no SQLSTATE: a value the driver cannot bind (an int past SQLite's 64 bits) ...
    (StoreFault("OverflowError"), True),
    # ... but an operational failure without one is the database's
    (StoreFault("OperationalError"), False),
    # our own code meeting the record (an overflow in date arithmetic, a missing key)
    (OverflowError("date value out of range"), True),
    (KeyError("employer"), True),
    # SQLAlchemy's own connection-level error (a dropped connection), and memory
    (OperationalError("SELECT 1", {}, Exception("server closed the connection")), False),
    (MemoryError(), False),
])
def test_whose_fault(fault: BaseException, the_records: bool) -> None:
    assert record_fault(fault) is the_records
    if isinstance(fault, StoreFault) and fault.sqlstate in ("40P01", "40001"):
        assert retryable(fault)
