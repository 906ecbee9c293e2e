"""Deadline rush: N concurrent units each uploading files of 1–20 MB to gunicorn + PostgreSQL.

Run:  .venv/bin/python bench/upload_rush.py --clients 50 --files 20
      (options below; defaults are the issue's figures, which move ~10 GB for N=50 — scale with --files)
      --before DIR also runs the same uploads, first, against another checkout of the app (e.g.
      ``git archive <commit> | tar -x -C var/before``) on the same database: before and after side by side.

What it does, all on 127.0.0.1:
1. creates a fresh PostgreSQL database (``kaohe_bench``), migrates it, loads the demo plan, gives every
   demo unit a bench account and extends every 报送资料 task so uploads are open;
2. starts gunicorn (4 workers, like production) on the real app, with files on local disk in a temp dir;
3. N client threads log in as units and upload their files (each file its own request, as the page does);
4. verifies that every accepted file is stored once with the SHA-256 the client computed;
5. repeats the same upload volume against a minimal WSGI app that only streams the body to disk;
6. prints requests/s, MB/s, latency percentiles, server peak memory (VmHWM of the workers) and ours/raw.
Nothing here runs in the test suite.
"""

from __future__ import annotations

import argparse
import hashlib
import http.client
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
PG = "postgres://postgres@127.0.0.1:5432"


@dataclass
class Stats:
    latencies: list[float] = field(default_factory=list)
    bytes_sent: int = 0
    errors: list[str] = field(default_factory=list)
    uploads: list[tuple[str, str, int]] = field(default_factory=list)  # (sha256 sent, sha256 stored, file_id)
    lock: threading.Lock = field(default_factory=threading.Lock)


def make_pool(directory: Path, count: int, seed: int) -> list[tuple[Path, str, int]]:
    """Files of 1–20 MB of pseudo-random bytes (incompressible), with a PDF header so they pass sniffing."""
    rng = random.Random(seed)
    pool = []
    for i in range(count):
        size = rng.randint(1, 20) * 1024 * 1024
        path = directory / f"pool-{i}.pdf"
        digest = hashlib.sha256()
        with path.open("wb") as fh:
            head = b"%PDF-1.4\n%bench\n"
            fh.write(head)
            digest.update(head)
            remaining = size - len(head)
            while remaining > 0:
                chunk = os.urandom(min(remaining, 1024 * 1024))
                fh.write(chunk)
                digest.update(chunk)
                remaining -= len(chunk)
        pool.append((path, digest.hexdigest(), size))
    return pool


class Body:
    """A multipart/form-data body streamed from disk: prefix + file + suffix, read in 1 MiB pieces."""

    def __init__(self, path: Path, field_name: str, filename: str, token: str) -> None:
        self.boundary = uuid.uuid4().hex
        b = self.boundary.encode()
        self.prefix = (
            b"--" + b + b'\r\nContent-Disposition: form-data; name="csrfmiddlewaretoken"\r\n\r\n' + token.encode() + b"\r\n"
            b"--"
            + b
            + f'\r\nContent-Disposition: form-data; name="{field_name}"; filename="{filename}"\r\n'.encode()
            + b"Content-Type: application/pdf\r\n\r\n"
        )
        self.suffix = b"\r\n--" + b + b"--\r\n"
        self.path = path
        self.length = len(self.prefix) + path.stat().st_size + len(self.suffix)

    def __iter__(self) -> Iterator[bytes]:
        yield self.prefix
        with self.path.open("rb") as fh:
            while chunk := fh.read(1024 * 1024):
                yield chunk
        yield self.suffix


class Client:
    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(
        self, method: str, path: str, body: str | bytes | Iterable[bytes] | None = None, headers: dict[str, str] | None = None
    ) -> tuple[int, bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=600)
        all_headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()), **(headers or {})}
        conn.request(method, path, body=body, headers=all_headers)
        response = conn.getresponse()
        data = response.read()
        for key, value in response.getheaders():
            if key.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
        conn.close()
        return response.status, data

    def login(self, username: str, password: str) -> None:
        _, page = self.request("GET", "/accounts/login/")
        found = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        if found is None:
            raise SystemExit("no CSRF token on the login page")
        token = found.group(1).decode()
        body = f"csrfmiddlewaretoken={token}&username={username}&password={password}"
        status, _ = self.request(
            "POST", "/accounts/login/", body=body, headers={"Content-Type": "application/x-www-form-urlencoded"}
        )
        if status != 302:
            raise RuntimeError(f"login failed for {username}: {status}")


def run(cmd: list[str], env: dict[str, str]) -> str:
    return subprocess.run(cmd, cwd=ROOT, env=env, check=True, capture_output=True, text=True).stdout


def prepare(env: dict[str, str], db: str) -> list[tuple[str, int, int, list[int]]]:
    subprocess.run(["psql", f"{PG}/postgres", "-qc", f"DROP DATABASE IF EXISTS {db}"], check=True)
    subprocess.run(["psql", f"{PG}/postgres", "-qc", f"CREATE DATABASE {db}"], check=True)
    run([PY, "manage.py", "migrate", "-v0"], env)
    run([PY, "manage.py", "load_demo"], env)
    script = """
import datetime as dt, json
from django.utils import timezone
from kaohe.accounts.models import User
from kaohe.organisations.models import Membership
from kaohe.organisations.roles import Role
from kaohe.plans.models import Plan, PlanUnit
from kaohe.submissions import services
from kaohe.submissions.selectors import evidence_tasks
plan = Plan.objects.get(year=2020, title="平顶山市2020年度依法行政考核")  # the demo plan (load_demo makes others too)
office = User.objects.get(username="office")
until = timezone.localdate() + dt.timedelta(days=30)
for task in evidence_tasks(plan):
    services.extension_grant(actor=office, plan=plan, task=task, unit=None, new_deadline=until, reason="压力测试")
pairs = []
for unit in PlanUnit.objects.filter(plan=plan).select_related("organisation", "category").order_by("pk"):
    user, _ = User.objects.get_or_create(username=f"bench_unit_{unit.pk}")
    user.set_password("Bench#2020pass"); user.save()
    Membership.objects.get_or_create(user=user, organisation=unit.organisation, role=Role.UNIT)
    tasks = [t.pk for t in evidence_tasks(plan, category_ids=[unit.category_id])]
    if tasks:
        pairs.append((user.username, plan.pk, unit.pk, tasks))
print(json.dumps(pairs))
"""
    out = run([PY, "manage.py", "shell", "-c", script], env)
    pairs: list[tuple[str, int, int, list[int]]] = json.loads(out.strip().splitlines()[-1])
    return pairs


def start_gunicorn(app: str, port: int, env: dict[str, str], cwd: Path = ROOT) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen(
        [
            str(Path(PY).parent / "gunicorn"),
            app,
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "4",
            "--threads",
            "4",
            "--timeout",
            "600",
        ],
        cwd=cwd,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(100):
        try:
            http.client.HTTPConnection("127.0.0.1", port, timeout=1).request("GET", "/healthz")
            return proc
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not start")


def server_rss_mb(proc: subprocess.Popen[bytes]) -> float:
    """Resident memory of the gunicorn master and workers now (sum of VmRSS)."""
    total = 0
    children = subprocess.run(["pgrep", "-P", str(proc.pid)], capture_output=True, text=True).stdout.split()
    for pid in [str(proc.pid), *children]:
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        match = re.search(r"VmRSS:\s+(\d+) kB", status)
        if match:
            total += int(match.group(1))
    return total / 1024


class MemorySampler(threading.Thread):
    """Samples the server's resident memory every 100 ms during the upload phase; keeps the peak.

    (VmHWM would also count the log-in phase, where each Argon2 hash briefly takes ~100 MB by design.)
    """

    def __init__(self, proc: subprocess.Popen[bytes]) -> None:
        super().__init__(daemon=True)
        self.proc = proc
        self.peak = 0.0
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            self.peak = max(self.peak, server_rss_mb(self.proc))
            self.stop.wait(0.1)


def pct(values: list[float], p: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def rush(
    port: int, jobs: list[tuple[str | None, str, list[tuple[Path, str, int]]]], raw: bool, sampler: MemorySampler
) -> tuple[Stats, float]:
    """All clients log in first; the clock runs from the moment they all start uploading."""
    stats = Stats()
    ready = threading.Barrier(len(jobs) + 1)

    def worker(username: str | None, path_template: str, files: list[tuple[Path, str, int]]) -> None:
        client = Client(port)
        token = "x"
        try:
            if username:
                client.login(username, "Bench#2020pass")
                token = client.cookies.get("csrftoken", "")
        finally:
            ready.wait()
        for i, (path, sha, size) in enumerate(files):
            body = Body(path, "files", f"材料{i}.pdf", token)
            headers = {
                "Content-Type": f"multipart/form-data; boundary={body.boundary}",
                "Content-Length": str(body.length),
                "Accept": "application/json",
                "X-CSRFToken": token,
                "Referer": f"http://127.0.0.1:{port}/",
            }
            started = time.perf_counter()
            try:
                status, data = client.request("POST", path_template, body=iter(body), headers=headers)
            except OSError as exc:
                with stats.lock:
                    stats.errors.append(f"{username}: {exc}")
                continue
            elapsed = time.perf_counter() - started
            with stats.lock:
                stats.latencies.append(elapsed)
                stats.bytes_sent += size
                if status != 200:
                    stats.errors.append(f"{username}: HTTP {status} {data[:200]!r}")
                elif not raw:
                    result = json.loads(data)["files"][0]
                    stats.uploads.append((sha, result["sha256"], result["file_id"]))
                else:
                    stats.uploads.append((sha, data.decode().strip(), 0))

    threads = [threading.Thread(target=worker, args=job) for job in jobs]
    for t in threads:
        t.start()
    ready.wait()
    sampler.start()
    started = time.perf_counter()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    sampler.stop.set()
    return stats, elapsed


def report(label: str, stats: Stats, seconds: float, memory: float) -> dict[str, float]:
    n = len(stats.latencies)
    figures = {
        "requests": n,
        "seconds": seconds,
        "req_per_s": n / seconds if seconds else 0,
        "mb_per_s": stats.bytes_sent / 1024 / 1024 / seconds if seconds else 0,
        "p50": pct(stats.latencies, 50),
        "p95": pct(stats.latencies, 95),
        "p99": pct(stats.latencies, 99),
        "errors": len(stats.errors),
        "peak_mb": memory,
    }
    print(
        f"{label:<8} {n:>6} req  {figures['seconds']:>7.1f} s  {figures['req_per_s']:>6.2f} req/s  {figures['mb_per_s']:>7.1f} MB/s  "
        f"p50 {figures['p50']:.2f} s  p95 {figures['p95']:.2f} s  p99 {figures['p99']:.2f} s  errors {figures['errors']}  "
        f"server peak {memory:.0f} MB"
    )
    for err in stats.errors[:5]:
        print("   ", err)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--files", type=int, default=20, help="files per client")
    parser.add_argument("--pool", type=int, default=12, help="distinct files of 1–20 MB to draw from")
    parser.add_argument("--port", type=int, default=8765, help="one port, used by each server in turn")
    parser.add_argument("--db", default="kaohe_bench", help="the throwaway PostgreSQL database (dropped first)")
    parser.add_argument("--before", default="", help="another checkout of the app to run first, side by side")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="kaohe-bench-"))
    env = {
        **os.environ,
        "DATABASE_URL": f"{PG}/{args.db}",
        "DJANGO_SECRET_KEY": "bench-only",
        "KAOHE_AUDIT_KEY": "bench-only-audit-key-0123456789abcdef",
        "KAOHE_VAR_DIR": str(work / "var"),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "KAOHE_LOGIN_FAILURE_LIMIT": "1000",
        "KAOHE_UPLOAD_TEMP_DIR": str(work / "tmp"),
        # the limiter runs, but back-to-back phases of the same accounts must not trip it
        "KAOHE_UPLOAD_RATE_FILES_PER_MINUTE": "600",
        "KAOHE_UPLOAD_RATE_MB_PER_HOUR": "100000",
    }
    (work / "tmp").mkdir()
    try:
        print(f"preparing database {args.db} and {args.pool} pool files in {work} …")
        pairs = prepare(env, args.db)
        pool = make_pool(work, args.pool, seed=2020)
        run([PY, "manage.py", "collectstatic", "--noinput", "-v0"], env)
        rng = random.Random(1)
        jobs_ours: list[tuple[str | None, str, list[tuple[Path, str, int]]]] = []
        jobs_raw: list[tuple[str | None, str, list[tuple[Path, str, int]]]] = []
        for i in range(args.clients):
            username, plan_id, unit_id, tasks = pairs[i % len(pairs)]
            files = [rng.choice(pool) for _ in range(args.files)]
            task_id = tasks[i // len(pairs) % len(tasks)]
            jobs_ours.append((username, f"/plans/{plan_id}/evidence/{unit_id}/tasks/{task_id}/upload", files))
            jobs_raw.append((None, "/upload", files))
        total_mb = sum(size for _, _, files in jobs_ours for _, _, size in files) / 1024 / 1024
        print(f"{args.clients} clients × {args.files} files = {args.clients * args.files} uploads, {total_mb:.0f} MB")

        def app_phase(label: str, cwd: Path) -> dict[str, float]:
            server = start_gunicorn("config.wsgi:application", args.port, env, cwd=cwd)
            try:
                idle = server_rss_mb(server)
                sampler = MemorySampler(server)
                stats, seconds = rush(args.port, jobs_ours, raw=False, sampler=sampler)
                memory = sampler.peak
            finally:
                server.terminate()
                server.wait()
            figures = report(label, stats, seconds, memory)
            print(
                f"server resident memory after log-in {idle:.0f} MB (master + 4 workers), peak during the uploads {memory:.0f} MB"
            )
            verify(stats)
            media = work / "var" / "media"
            left = [p for p in (work / "tmp").rglob("*") if p.is_file()]
            left += [p for p in (media / ".staging").rglob("*") if p.is_file()]
            print(f"left behind: {len(left)} temporary or staged files")
            shutil.rmtree(media / "evidence", ignore_errors=True)  # room on disk for the next phase
            return figures

        def verify(stats: Stats) -> None:
            mismatched = [u for u in stats.uploads if u[0] != u[1]]
            check = f"""
import hashlib, json
from django.core.files.storage import default_storage
from kaohe.submissions.models import EvidenceFile
ids = json.loads('{json.dumps([u[2] for u in stats.uploads])}')
bad = 0
for f in EvidenceFile.objects.filter(pk__in=ids):
    h = hashlib.sha256()
    with default_storage.open(f.storage_name, 'rb') as fh:
        while chunk := fh.read(1 << 20):
            h.update(chunk)
    bad += h.hexdigest() != f.sha256
print(json.dumps({{"rows": EvidenceFile.objects.filter(pk__in=ids).count(), "bad": bad}}))
"""
            verified = json.loads(run([PY, "manage.py", "shell", "-c", check], env).strip().splitlines()[-1])
            print(
                f"verified: {verified['rows']} stored rows for {len(stats.uploads)} accepted uploads; "
                f"{len(mismatched)} client/server hash mismatches; {verified['bad']} stored files failing their SHA-256"
            )

        fig_before = app_phase("before", Path(args.before).resolve()) if args.before else None
        fig_ours = app_phase("kaohe", ROOT)

        raw_env = {**env, "RAW_UPLOAD_DIR": str(work / "raw")}
        (work / "raw").mkdir()
        server = start_gunicorn("bench.raw_upload_app:application", args.port, raw_env)
        try:
            raw_sampler = MemorySampler(server)
            raw, raw_seconds = rush(args.port, jobs_raw, raw=True, sampler=raw_sampler)
            raw_memory = raw_sampler.peak
        finally:
            server.terminate()
            server.wait()
        fig_raw = report("raw", raw, raw_seconds, raw_memory)
        if fig_raw["mb_per_s"]:
            print(
                f"ours/raw throughput: {fig_ours['mb_per_s'] / fig_raw['mb_per_s']:.2f}   "
                f"p95 latency ratio: {fig_ours['p95'] / fig_raw['p95']:.2f}"
                if fig_raw["p95"]
                else ""
            )
            if fig_before is not None:
                print(f"before/raw throughput: {fig_before['mb_per_s'] / fig_raw['mb_per_s']:.2f}")
        print(f"median latency ours {fig_ours['p50']:.2f} s")
    finally:
        shutil.rmtree(work, ignore_errors=True)
        subprocess.run(["psql", f"{PG}/postgres", "-qc", f"DROP DATABASE IF EXISTS {args.db}"], check=False)


if __name__ == "__main__":
    main()
