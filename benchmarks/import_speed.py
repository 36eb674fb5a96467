"""How long a 10,000-row opportunities import takes: the dry run, then the commit.

    python benchmarks/import_speed.py                    # SQLite, in a temporary file
    KAM_DATABASE_URL=postgres://postgres@127.0.0.1:5432/kam \\
        python benchmarks/import_speed.py                # PostgreSQL, in a throwaway database

The floor (issue 8) is validation and commit together in under 30 seconds. The
run builds its own database (Django's test database: created, then dropped), a
rep with 200 accounts, and a generated .xlsx of ``--rows`` opportunities with
text-stored numbers, date cells, full-width digits and bilingual stage names, as
real files have them; it imports as that rep, so every row passes the permission
checks and the services' rules.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kam.settings")
FLOOR_SECONDS = 30.0


def build_file(rows: int, accounts: list[str], stages: list[str], seed: int = 8) -> bytes:
    from openpyxl import Workbook

    from kam.imports.kinds import OpportunityImporter

    rng = random.Random(seed)
    workbook = Workbook()
    sheet = workbook.active
    headers = {c.key: c.header() for c in OpportunityImporter.columns}
    keys = ["account", "name", "amount", "expected_close_date", "stage", "forecast_category"]
    sheet.append([headers[k] for k in keys])
    start = date.today() + timedelta(days=10)
    categories = ["pipeline", "best_case", "commit"]
    for index in range(rows):
        amount = rng.randrange(10_000, 5_000_000)
        # A third of the amounts are text, some with full-width digits, as pasted from elsewhere.
        shown: object = amount
        if index % 3 == 1:
            shown = f"{amount:,}"
        elif index % 3 == 2:
            shown = str(amount).translate(str.maketrans("0123456789", "０１２３４５６７８９"))
        sheet.append(
            [
                accounts[index % len(accounts)],
                f"商机 {index:05d}",
                shown,
                start + timedelta(days=rng.randrange(0, 365)),
                stages[index % len(stages)],
                categories[index % 3],
            ]
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--json", type=Path, help="also write the timings to this file")
    args = parser.parse_args()

    scratch = tempfile.TemporaryDirectory(prefix="kam-import-bench-")
    if not os.environ.get("KAM_DATABASE_URL"):
        os.environ["KAM_DATABASE_URL"] = f"sqlite:///{Path(scratch.name) / 'kam.sqlite3'}"
        os.environ["KAM_TEST_DATABASE_NAME"] = str(Path(scratch.name) / "bench.sqlite3")
    else:
        os.environ.setdefault("KAM_TEST_DATABASE_NAME", "kam_import_bench")

    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment

    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        from kam.accounts.models import Account
        from kam.core.models import Interface, Role, Team, User
        from kam.imports import services
        from kam.pipeline.models import Opportunity, Stage

        team = Team.objects.create(name="基准测试组")
        rep = User.objects.create(username="bench_rep", role=Role.REP, team=team)
        Account.objects.bulk_create(
            Account(name=f"基准客户{i:03d}有限公司", owner=rep) for i in range(200)
        )
        stages = Stage.objects.filter(model__is_default=True).order_by("order")
        stage_names = [s.name_zh for s in stages[:3]] + [s.name_en for s in stages[:2]]
        accounts = list(Account.objects.values_list("name", flat=True))
        content = build_file(args.rows, accounts, stage_names)

        started, cpu = time.perf_counter(), time.process_time()
        checked = services.evaluate(
            content, "opportunities", by=rep, via=Interface.IMPORT, commit=False
        )
        validation = time.perf_counter() - started
        validation_cpu = time.process_time() - cpu
        assert not checked.problems and not checked.refused, checked.problems[:5]
        assert Opportunity.objects.count() == 0

        started, cpu = time.perf_counter(), time.process_time()
        done = services.evaluate(
            content, "opportunities", by=rep, via=Interface.IMPORT, commit=True
        )
        commit = time.perf_counter() - started
        commit_cpu = time.process_time() - cpu
        assert not done.problems and Opportunity.objects.count() == args.rows

        vendor = connection.vendor
        total = validation + commit
        print(f"database      {vendor}")
        print(f"rows          {args.rows:,}")
        print(f"file size     {len(content) / 1024:,.0f} KB")
        print(f"validation    {validation:6.1f} s  (CPU {validation_cpu:.1f} s; dry run)")
        print(f"commit        {commit:6.1f} s  (CPU {commit_cpu:.1f} s; one transaction)")
        verdict = "ok" if total < FLOOR_SECONDS else "TOO SLOW"
        cpu_total = validation_cpu + commit_cpu
        floor = f"floor {FLOOR_SECONDS:.0f} s: {verdict}"
        print(f"total         {total:6.1f} s  (CPU {cpu_total:.1f} s; {floor})")
        if args.json:
            timings = {"rows": args.rows, "validation_s": validation, "commit_s": commit}
            args.json.write_text(json.dumps({"database": vendor, **timings}))
        return 0 if total < FLOOR_SECONDS else 1
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        scratch.cleanup()


if __name__ == "__main__":
    raise SystemExit(main())
