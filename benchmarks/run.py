"""KAM's benchmark suite (issue 9): one command, a JSON file and a markdown table.

    python benchmarks/run.py --scale large            # the benchmark tenant
    python benchmarks/run.py --scale smoke --quick    # the CI smoke run

It uses the database that ``KAM_DATABASE_URL`` (or ``KAM_HOME``) points at,
generating the tenant first when that database is empty. Then:

1. every page and API call in ``scenarios.PAGES`` as a rep, a manager and a
   director: server time (median and p95 over warm requests, in process, so no
   network is measured) and the number of SQL queries;
2. each headline figure computed by KAM and by one hand-written SQL query on the
   same rows: both results must be equal, and the ratio KAM ÷ SQL is reported;
3. a bounded load test: gunicorn with several workers on 127.0.0.1, a fixed
   number of simulated users for a fixed time, a mix of reads and writes;
4. the weekly snapshot and the win-probability training (``scenarios.timed_jobs``),
   and a 10,000-row Excel import (``import_speed.py``, in its own throwaway database).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kam.settings")
# The in-process measurements use the test client, whose host is "testserver".
os.environ.setdefault("KAM_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")


@dataclass
class PageResult:
    name: str
    role: str
    url: str
    status: int
    median_ms: float
    p95_ms: float
    queries: int
    floor_ms: float
    # CPU time of this process per request (SQLite's work included, PostgreSQL's not):
    # what the request costs when the machine is shared and wall time waits for a core.
    cpu_median_ms: float = 0.0

    @property
    def ok(self) -> bool:
        return self.status == 200 and self.p95_ms <= self.floor_ms


@dataclass
class FigureResult:
    name: str
    kam_ms: float
    sql_ms: float
    equal: bool
    ratio: float


@dataclass
class Report:
    scale: str
    database: str
    started_at: str
    machine: dict[str, Any]
    pages: list[PageResult] = field(default_factory=list)
    figures: list[FigureResult] = field(default_factory=list)
    timed: dict[str, float] = field(default_factory=dict)
    load: dict[str, Any] = field(default_factory=dict)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]


def machine() -> dict[str, Any]:
    try:
        memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    except (ValueError, OSError):
        memory = 0.0
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        load = " ".join(f"{x:.1f}" for x in os.getloadavg())
    except OSError:
        load = ""
    return {
        "cpu_model": model,
        "load_average": load,
        "cpus": os.cpu_count(),
        "memory_gib": round(memory, 1),
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


def ensure_tenant(scale: str) -> None:
    from django.core.management import call_command

    from kam.core.models import User

    call_command("migrate", verbosity=0)
    if not User.objects.exists():
        call_command("demo", "--scale", scale, "--today", date.today().isoformat())


def measure_pages(report: Report, repeats: int, only: list[str] | None = None) -> None:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from benchmarks import scenarios

    users = scenarios.users_by_role()
    for page in scenarios.pages():
        if only and not any(word in page.name for word in only):
            continue
        for role, user in users.items():
            if page.roles is not None and role not in page.roles:
                continue
            client = Client()
            client.force_login(user)
            url = page.url(user)
            headers = {"HTTP_ACCEPT": "application/json"} if url.startswith("/api/") else {}
            times, cpu = [], []
            queries = 0
            status = 0
            with page.state():
                for _ in range(2):  # warm up caches and connections
                    client.get(url, **headers)
                for _ in range(repeats):
                    with CaptureQueriesContext(connection) as captured:
                        started, cpu_started = time.perf_counter(), time.process_time()
                        response = client.get(url, **headers)
                        times.append((time.perf_counter() - started) * 1000)
                        cpu.append((time.process_time() - cpu_started) * 1000)
                    queries = len(captured)
                    status = response.status_code
            result = PageResult(
                name=page.name,
                role=role,
                url=url,
                status=status,
                median_ms=round(statistics.median(times), 1),
                p95_ms=round(percentile(times, 0.95), 1),
                queries=queries,
                floor_ms=page.floor_ms,
                cpu_median_ms=round(statistics.median(cpu), 1),
            )
            report.pages.append(result)
            print(
                f"  {page.name:<28} {role:<8} {result.median_ms:>8.1f} ms "
                f"p95 {result.p95_ms:>8.1f} ms  cpu {result.cpu_median_ms:>7.1f} ms  "
                f"{queries:>3} queries  {status}"
            )


def measure_figures(report: Report, repeats: int) -> None:
    from benchmarks import scenarios

    for figure in scenarios.figures():
        kam_times, sql_times = [], []
        kam_value = sql_value = None
        # Warm, as the pages are: the first run reads the disk.
        figure.kam()
        figure.sql()
        for _ in range(repeats):
            started = time.perf_counter()
            kam_value = figure.kam()
            kam_times.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            sql_value = figure.sql()
            sql_times.append((time.perf_counter() - started) * 1000)
        kam_ms, sql_ms = statistics.median(kam_times), statistics.median(sql_times)
        result = FigureResult(
            name=figure.name,
            kam_ms=round(kam_ms, 1),
            sql_ms=round(sql_ms, 1),
            equal=kam_value == sql_value,
            ratio=round(kam_ms / sql_ms, 2) if sql_ms else 0.0,
        )
        report.figures.append(result)
        print(
            f"  {figure.name:<28} KAM {result.kam_ms:>8.1f} ms  SQL {result.sql_ms:>8.1f} ms  "
            f"ratio {result.ratio:>5.2f}  {'equal' if result.equal else 'DIFFERENT'}"
        )
        if not result.equal:
            print(f"    KAM: {kam_value!r}\n    SQL: {sql_value!r}")


def measure_import(report: Report, rows: int) -> None:
    """The import of a generated workbook of ``rows`` opportunities, dry run then commit,
    run by ``import_speed.py`` in a process and database of its own."""
    with tempfile.TemporaryDirectory(prefix="kam-import-") as scratch:
        out = Path(scratch) / "import.json"
        script = ROOT / "benchmarks" / "import_speed.py"
        command = [sys.executable, str(script), "--rows", str(rows), "--json", str(out)]
        subprocess.run(command, check=True)
        timings = json.loads(out.read_text())
    report.timed[f"import of {rows:,} opportunities: validation (dry run)"] = timings[
        "validation_s"
    ]
    report.timed[f"import of {rows:,} opportunities: commit"] = timings["commit_s"]


def markdown(report: Report) -> str:
    lines = [
        f"# KAM benchmark: {report.scale} tenant on {report.database}",
        "",
        f"Run {report.started_at} on {report.machine['cpus']} CPUs, "
        f"{report.machine['memory_gib']} GiB ({report.machine.get('cpu_model', '')}), "
        f"Python {report.machine['python']}; load average at the start "
        f"{report.machine.get('load_average', '')}.",
        "",
        "## Pages and API calls (server time, warm)",
        "",
        "| page | role | median ms | p95 ms | floor ms | CPU median ms | queries | status |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for p in report.pages:
        mark = "" if p.ok else " ✗"
        lines.append(
            f"| {p.name} | {p.role} | {p.median_ms} | {p.p95_ms}{mark} | "
            f"{p.floor_ms:.0f} | {p.cpu_median_ms} | {p.queries} | {p.status} |"
        )
    lines += [
        "",
        "## Headline figures: KAM ÷ hand-written SQL",
        "",
        "| figure | KAM ms | SQL ms | ratio | same result |",
        "| --- | ---: | ---: | ---: | --- |",
    ]
    for f in report.figures:
        lines.append(
            f"| {f.name} | {f.kam_ms} | {f.sql_ms} | {f.ratio} | {'yes' if f.equal else 'NO'} |"
        )
    if report.timed:
        lines += ["", "## Jobs", "", "| job | seconds |", "| --- | ---: |"]
        lines += [f"| {name} | {seconds:.1f} |" for name, seconds in report.timed.items()]
    if report.load:
        load = report.load
        lines += [
            "",
            "## Load test",
            "",
            f"{load['users']} users for {load['seconds']} s against gunicorn with "
            f"{load['workers']} workers, each pausing {load['think_ms'][0]}–"
            f"{load['think_ms'][1]} ms between pages (a page's lazy panels fetched at once, "
            f"as a browser does): {load['requests']} requests, "
            f"{load['throughput']:.1f} requests/s, p50 {load['p50_ms']} ms, "
            f"p95 {load['p95_ms']} ms, p99 {load['p99_ms']} ms, errors {load['errors']}.",
        ]
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", choices=["large", "smoke"], default="large")
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument(
        "--quick",
        action="store_true",
        help="fewer repeats and a short load test (the CI smoke run)",
    )
    parser.add_argument("--load-seconds", type=int, default=60)
    parser.add_argument("--load-users", type=int, default=20)
    parser.add_argument("--skip-load", action="store_true")
    parser.add_argument(
        "--think-ms",
        type=int,
        nargs=2,
        default=[500, 2000],
        metavar=("MIN", "MAX"),
        help="each simulated user's pause between pages (0 0: a stress test without pauses)",
    )
    parser.add_argument(
        "--only",
        action="append",
        metavar="WORDS",
        help="measure only the pages whose name contains WORDS (repeatable), "
        "and skip the figures, jobs and load test: for checking one fix",
    )
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results")
    parser.add_argument(
        "--enforce",
        action="store_true",
        help="exit non-zero when a floor is missed (off for the smoke run)",
    )
    args = parser.parse_args()
    if args.quick:
        args.repeats, args.load_seconds = 3, 5

    import django

    django.setup()
    from django.db import connection

    from benchmarks import load_test, scenarios

    ensure_tenant(args.scale)
    scenarios.steady_state()
    report = Report(
        scale=args.scale,
        database=connection.vendor,
        started_at=datetime.now(UTC).isoformat(timespec="seconds"),
        machine=machine(),
    )
    print("Pages and API calls:")
    measure_pages(report, args.repeats, args.only)
    if args.only:
        args.skip_load = True
    print("Headline figures:")
    if not args.only:
        measure_figures(report, max(5, args.repeats))
    for name, job in () if args.only else scenarios.timed_jobs():
        started = time.perf_counter()
        job()
        report.timed[name] = time.perf_counter() - started
        print(f"  {name}: {report.timed[name]:.1f} s")
    if not args.only:
        measure_import(report, 1_000 if args.quick else 10_000)
    if not args.skip_load:
        print("Load test:")
        report.load = load_test.run(
            users=args.load_users, seconds=args.load_seconds, think_ms=tuple(args.think_ms)
        )
        print(f"  {report.load}")

    args.out.mkdir(parents=True, exist_ok=True)
    stem = f"{args.scale}-{connection.vendor}" + ("-only" if args.only else "")
    payload = asdict(report)
    for page, result in zip(payload["pages"], report.pages, strict=True):
        page["ok"] = result.ok
    (args.out / f"{stem}.json").write_text(json.dumps(payload, indent=2, ensure_ascii=False))
    (args.out / f"{stem}.md").write_text(markdown(report))
    print(f"Wrote {args.out / (stem + '.json')} and {args.out / (stem + '.md')}")

    failures = [p for p in report.pages if p.status != 200]
    failures += [f for f in report.figures if not f.equal]  # type: ignore[misc]
    if report.load and report.load["errors"]:
        failures.append(report.load)  # type: ignore[arg-type]
    if args.enforce:
        failures += [p for p in report.pages if not p.ok]
        failures += [f for f in report.figures if f.ratio > 3]  # type: ignore[misc]
    if failures:
        print(f"{len(failures)} problems (see above)")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
