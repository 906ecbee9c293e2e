"""Mixed load: 100 simulated users on the demo plan scaled to 300 units, gunicorn + PostgreSQL, 5 minutes.

Run:  .venv/bin/python bench/mixed_load.py                          # the issue's figures (≈ 7 minutes in all)
      .venv/bin/python bench/mixed_load.py --duration 30 --users 20  # a quick check

What it does, all on 127.0.0.1:
1. creates a fresh PostgreSQL database (``kaohe_bench_mixed``; user ``postgres``, trust auth), migrates it,
   creates the cache table, loads the demo plan (its 报送资料 tasks extended, so uploads are open) and scales
   it to ``--units`` units: the demo's 60 units are cloned round-robin into the same categories, each clone
   a new organisation (``<name>（压测001）``) with its own unit account; every unit, each of the plan's 20 考核主体
   and ``--office`` office members get a bench account; the results are computed once (missing = 0) so
   the results pages have a snapshot to show;
2. starts gunicorn (4 workers × 4 threads, as in deploy/systemd/kaohe-web.service) on the real app, files on
   local disk, the upload rate limit raised through ``KAOHE_UPLOAD_RATE_FILES_PER_MINUTE`` (the default 30 a
   minute would refuse nothing here either, but the benchmark must not depend on it);
3. every simulated user logs in through the real login form (Argon2), then all start together and loop,
   with a think time of 1–3 s after every request, until ``--duration`` has passed:
   - units (70 %): their workspace → a task page → upload one small PDF (8–200 KB) to that task;
   - desks (20 %, one per 考核主体): the 审核 queue → the grid of one of their categories → one cell →
     save it (full marks, or a grade with a reason), as htmx does;
   - the office (10 %): the 报送情况 overview → the results index → the snapshot → one unit's breakdown;
4. prints requests/s, per page p50/p95/p99 and count, the errors (anything but the expected answer; the
   first ones with their body), the server's peak resident memory (VmRSS of master + workers summed,
   sampled from /proc every 0.5 s during the run), the CPU seconds gunicorn, PostgreSQL and this script used
   during the run (so the figures can be read on a machine shared with other work) and the load average;
5. drops the database (``--keep`` keeps it and prints its URL).
Nothing here runs in the test suite.
"""

from __future__ import annotations

import argparse
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
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
DB = "kaohe_bench_mixed"
PG = "postgres://postgres@127.0.0.1:5432"
PASSWORD = "Bench#2020mixed"  # throwaway accounts in a throwaway database

SETUP = r"""
import json
from django.contrib.auth.hashers import make_password
from django.db import transaction
from kaohe.accounts.models import User
from kaohe.organisations.models import Membership, Organisation
from kaohe.organisations.roles import Role
from kaohe.plans.models import AssessorDesk, Plan, PlanUnit
from kaohe.results import services as results
from kaohe.submissions.selectors import evidence_tasks

TARGET, OFFICE, PASSWORD = {target}, {office}, {password!r}
plan = Plan.objects.select_related("organiser").get(year=2020, title="平顶山市2020年度依法行政考核")  # the demo plan (load_demo makes others too)
hashed = make_password(PASSWORD)  # one Argon2 hash for every bench account: setting 400 passwords would take minutes


def account(username, organisation, role):
    user, _ = User.objects.get_or_create(username=username, defaults={{"display_name": username}})
    user.password = hashed
    user.save(update_fields=["password"])
    Membership.objects.get_or_create(user=user, organisation=organisation, role=role)
    return user.username


with transaction.atomic():
    demo = list(PlanUnit.objects.filter(plan=plan).select_related("organisation", "category").order_by("pk"))
    clones = []
    for i in range(max(0, TARGET - len(demo))):
        source = demo[i % len(demo)].organisation
        org = Organisation.objects.create(
            name=f"{{source.name}}（压测{{i + 1:03d}}）", kind=source.kind, region=source.region, parent=source.parent
        )
        clones.append(PlanUnit(plan=plan, category=demo[i % len(demo)].category, organisation=org))
    PlanUnit.objects.bulk_create(clones)
    tasks = {{}}
    units = []
    for unit in PlanUnit.objects.filter(plan=plan).select_related("organisation").order_by("pk"):
        if unit.category_id not in tasks:
            tasks[unit.category_id] = [t.pk for t in evidence_tasks(plan, category_ids=[unit.category_id])]
        name = account(f"bench_unit_{{unit.pk}}", unit.organisation, Role.UNIT)
        if tasks[unit.category_id]:
            units.append([name, unit.pk, tasks[unit.category_id]])
    desks = [account(f"bench_desk_{{d.pk}}", d.organisation, Role.DESK) for d in AssessorDesk.objects.filter(plan=plan)]
    office = [account(f"bench_office_{{i}}", plan.organiser, Role.OFFICE) for i in range(OFFICE)]
snapshot = results.results_compute(
    actor=User.objects.get(username="office"), plan=plan, missing_policy="zero", decision_note="压力测试：缺少的评价按0分计"
)
print(json.dumps({{
    "plan": plan.pk, "snapshot": snapshot.pk, "units": units, "desks": desks, "office": office,
    "all_units": list(PlanUnit.objects.filter(plan=plan).values_list("pk", flat=True)),
}}))
"""


# --- the HTTP client ------------------------------------------------------------------------------------


class Browser:
    """One user's keep-alive connection and cookies (stdlib only: nothing to install)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}
        self.conn: http.client.HTTPConnection | None = None

    def request(
        self, method: str, path: str, body: bytes | None = None, headers: dict[str, str] | None = None
    ) -> tuple[int, dict[str, str], bytes]:
        all_headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()), **(headers or {})}
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
            try:
                self.conn.request(method, path, body=body, headers=all_headers)
                response = self.conn.getresponse()
                data = response.read()
                break
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                self.conn.close()  # the server closed an idle keep-alive connection: reconnect once
                self.conn = None
                if attempt == 2:
                    raise
        answer_headers = {}
        for key, value in response.getheaders():
            if key.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
            else:
                answer_headers[key.lower()] = value
        if response.getheader("Connection", "").lower() == "close" and self.conn is not None:
            self.conn.close()
            self.conn = None
        return response.status, answer_headers, data

    @property
    def token(self) -> str:
        return self.cookies.get("csrftoken", "")

    def login(self, username: str) -> None:
        _, _, page = self.request("GET", "/accounts/login/")
        match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        if not match:
            raise RuntimeError("no CSRF token on the login page")
        body = urlencode({"csrfmiddlewaretoken": match.group(1).decode(), "username": username, "password": PASSWORD})
        status, headers, _ = self.request(
            "POST",
            "/accounts/login/",
            body=body.encode(),
            headers={"Content-Type": "application/x-www-form-urlencoded", "Referer": f"http://127.0.0.1:{self.port}/"},
        )
        if status != 302 or "/accounts/login" in headers.get("location", ""):
            raise RuntimeError(f"login failed for {username}: HTTP {status}")


def multipart(token: str, name: str, content: bytes) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="csrfmiddlewaretoken"\r\n\r\n{token}\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="{name}"\r\n'
            "Content-Type: application/pdf\r\n\r\n"
        ).encode()
        + content
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return body, f"multipart/form-data; boundary={boundary}"


# --- measuring ------------------------------------------------------------------------------------------


@dataclass
class Recorder:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: list[str] = field(default_factory=list)
    error_count: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, page: str, seconds: float, error: str = "") -> None:
        with self.lock:
            self.latencies[page].append(seconds)
            if error:
                self.error_count[page] += 1
                if len(self.errors) < 20:
                    self.errors.append(f"{page}: {error}")


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))] if ordered else 0.0


def server_rss_mb(pid: int) -> float:
    """Resident memory of the gunicorn master and its workers now (sum of VmRSS)."""
    total = 0
    children = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True, check=False).stdout.split()
    for each in [str(pid), *children]:
        try:
            match = re.search(r"VmRSS:\s+(\d+) kB", Path(f"/proc/{each}/status").read_text())
        except OSError:
            continue
        if match:
            total += int(match.group(1))
    return total / 1024


def tree_cpu_seconds(root: int) -> float:
    """CPU time (user + system) of a process, its live children and its children that have exited.

    Exited children count through the parent's cutime/cstime: PostgreSQL backends come and go with
    connections (CONN_MAX_AGE), so summing the live ones alone would miss most of the database's work.
    """
    ticks = 0
    children = subprocess.run(["pgrep", "-P", str(root)], capture_output=True, text=True, check=False).stdout.split()
    for pid in [str(root), *children]:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        ticks += int(fields[11]) + int(fields[12])  # utime, stime
        if pid == str(root):
            ticks += int(fields[13]) + int(fields[14])  # cutime, cstime: children already reaped
    return ticks / os.sysconf("SC_CLK_TCK")


def postmaster_pid() -> int:
    """The local PostgreSQL server's main process (0 if it is not visible from here)."""
    out = subprocess.run(["pgrep", "-o", "-x", "postgres"], capture_output=True, text=True, check=False).stdout.split()
    return int(out[0]) if out else 0


class MemorySampler(threading.Thread):
    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.peak = 0.0
        self.samples: list[float] = []
        self.stop = threading.Event()
        self.load: list[float] = []  # the machine's 1-minute load average (other work shares these cores)

    def run(self) -> None:
        while not self.stop.is_set():
            now = server_rss_mb(self.pid)
            self.samples.append(now)
            self.peak = max(self.peak, now)
            self.load.append(float(Path("/proc/loadavg").read_text().split()[0]))
            self.stop.wait(0.5)


# --- the simulated users --------------------------------------------------------------------------------


class User:
    def __init__(self, port: int, username: str, rec: Recorder, rng: random.Random, deadline_box: list[float]) -> None:
        self.browser = Browser(port)
        self.username = username
        self.rec = rec
        self.rng = rng
        self.deadline_box = deadline_box  # [deadline], set when every user has logged in

    def running(self) -> bool:
        return time.monotonic() < self.deadline_box[0]

    def think(self) -> None:
        time.sleep(min(self.rng.uniform(1.0, 3.0), max(0.0, self.deadline_box[0] - time.monotonic())))

    def call(
        self,
        page: str,
        method: str,
        path: str,
        *,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
        check: Any = None,
    ) -> bytes | None:
        """One request, timed and checked; returns the body on success, None on an error (recorded)."""
        if not self.running():
            return None
        started = time.perf_counter()
        try:
            status, answer_headers, data = self.browser.request(method, path, body, headers)
        except (OSError, http.client.HTTPException) as exc:
            self.rec.add(page, time.perf_counter() - started, f"{self.username} {method} {path}: {exc!r}")
            self.think()
            return None
        elapsed = time.perf_counter() - started
        error = "" if status == 200 else f"HTTP {status}"
        if not error and check is not None:
            error = check(answer_headers, data)
        if error:
            snippet = data[:300].decode("utf-8", "replace").replace("\n", " ")
            self.rec.add(page, elapsed, f"{self.username} {method} {path}: {error} {snippet}")
        else:
            self.rec.add(page, elapsed)
        self.think()
        return None if error else data

    def post_headers(self, content_type: str) -> dict[str, str]:
        return {
            "Content-Type": content_type,
            "X-CSRFToken": self.browser.token,
            "Referer": f"http://127.0.0.1:{self.browser.port}/",
        }

    def loop(self) -> None:
        while self.running():
            self.iteration()

    def iteration(self) -> None:
        raise NotImplementedError


def upload_check(headers: dict[str, str], data: bytes) -> str:
    files = json.loads(data).get("files") or [{}]
    return "" if files[0].get("accepted") else f"refused: {files[0].get('message')}"


class Unit(User):
    def __init__(self, *args: Any, plan: int, unit: int, tasks: list[int]) -> None:
        super().__init__(*args)
        self.plan, self.unit, self.tasks = plan, unit, tasks
        self.sent = 0

    def iteration(self) -> None:
        self.call("unit: workspace", "GET", f"/plans/{self.plan}/evidence/")
        task = self.rng.choice(self.tasks)
        base = f"/plans/{self.plan}/evidence/{self.unit}/tasks/{task}/"
        self.call("unit: task page", "GET", base)
        self.sent += 1
        content = b"%PDF-1.4\n%bench\n" + self.rng.randbytes(self.rng.randint(8, 200) * 1024)
        body, content_type = multipart(self.browser.token, f"材料{self.sent}.pdf", content)
        headers = {**self.post_headers(content_type), "Accept": "application/json"}
        self.call("unit: upload", "POST", base + "upload", body=body, headers=headers, check=upload_check)


CELL = re.compile(r'<form id="cell-(\d+)-(\d+)"(.*?)</form>', re.S)


def saved_check(headers: dict[str, str], data: bytes) -> str:
    status = headers.get("x-kaohe-status", "")
    return "" if status == "200" else f"X-Kaohe-Status {status}"


class Desk(User):
    def __init__(self, *args: Any, plan: int) -> None:
        super().__init__(*args)
        self.plan = plan
        self.categories: list[str] = []

    def iteration(self) -> None:
        self.call("desk: queue", "GET", f"/plans/{self.plan}/evidence/queue/")
        query = f"?category={self.rng.choice(self.categories)}" if self.categories else ""
        page = self.call("desk: grid", "GET", f"/plans/{self.plan}/evaluate/{query}")
        if page is None:
            return
        text = page.decode()
        if not self.categories:
            select = re.search(r'<select name="category".*?</select>', text, re.S)
            self.categories = re.findall(r'<option value="(\d+)"', select.group(0)) if select else []
        cells = [(u, t) for u, t, inner in CELL.findall(text) if 'name="score"' in inner or 'name="grade"' in inner]
        if not cells:
            return
        unit, task = self.rng.choice(cells)
        url = f"/plans/{self.plan}/evaluate/{unit}/tasks/{task}/"
        fragment = self.call("desk: open cell", "GET", url, headers={"HX-Request": "true"})
        if fragment is None:
            return
        cell = fragment.decode()
        version = re.search(r'name="version" value="(\d+)"', cell)
        form = {"csrfmiddlewaretoken": self.browser.token, "version": version.group(1) if version else "0"}
        if 'name="grade"' in cell:
            grades = re.findall(r'<option value="([^"]+)"', cell)
            form |= {"grade": self.rng.choice(grades), "reason": "压力测试：按材料评定等次"}
        else:
            points = re.search(r'placeholder="0–([\d.]+)"', cell)
            form |= {"score": points.group(1) if points else "0", "reason": ""}
        headers = {**self.post_headers("application/x-www-form-urlencoded"), "HX-Request": "true"}
        self.call("desk: save cell", "POST", url, body=urlencode(form).encode(), headers=headers, check=saved_check)


class Office(User):
    def __init__(self, *args: Any, plan: int, snapshot: int, units: list[int]) -> None:
        super().__init__(*args)
        self.plan, self.snapshot, self.units = plan, snapshot, units

    def iteration(self) -> None:
        self.call("office: evidence overview", "GET", f"/plans/{self.plan}/evidence/overview/")
        self.call("office: results index", "GET", f"/plans/{self.plan}/results/")
        self.call("office: results snapshot", "GET", f"/plans/{self.plan}/results/{self.snapshot}/")
        unit = self.rng.choice(self.units)
        self.call("office: unit breakdown", "GET", f"/plans/{self.plan}/results/{self.snapshot}/units/{unit}/")


# --- running --------------------------------------------------------------------------------------------


def run(cmd: list[str], env: dict[str, str]) -> str:
    return subprocess.run(cmd, cwd=ROOT, env=env, check=True, capture_output=True, text=True).stdout


def psql(statement: str) -> None:
    subprocess.run(["psql", f"{PG}/postgres", "-qc", statement], check=True)


def prepare(env: dict[str, str], units: int, office: int) -> dict[str, Any]:
    psql(f"DROP DATABASE IF EXISTS {DB}")
    psql(f"CREATE DATABASE {DB}")
    run([PY, "manage.py", "migrate", "-v0"], env)
    run([PY, "manage.py", "createcachetable"], env)
    run([PY, "manage.py", "load_demo"], env)
    run([PY, "manage.py", "collectstatic", "--noinput", "-v0"], env)
    script = SETUP.format(target=units, office=office, password=PASSWORD)
    out = run([PY, "manage.py", "shell", "-c", script], env)
    data: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    return data


def start_gunicorn(port: int, env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    gunicorn = str(Path(PY).parent / "gunicorn")
    cmd = [gunicorn, "config.wsgi:application", "--bind", f"127.0.0.1:{port}", "--workers", "4", "--threads", "4"]
    cmd += ["--timeout", "120", "--error-logfile", str(log)]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(150):
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return proc
        except OSError:
            pass
        time.sleep(0.2)
    proc.terminate()
    raise RuntimeError(f"gunicorn did not start; see {log}")


def build_users(args: argparse.Namespace, data: dict[str, Any], port: int, rec: Recorder, box: list[float]) -> list[User]:
    rng = random.Random(args.seed)
    n_desks = min(len(data["desks"]), max(1, round(args.users * 0.2)))  # one per desk: no two edit the same cell
    n_office = min(len(data["office"]), max(1, round(args.users * 0.1)))
    n_units = args.users - n_desks - n_office
    users: list[User] = []
    for username, unit, tasks in rng.sample(data["units"], n_units):
        users.append(Unit(port, username, rec, random.Random(rng.random()), box, plan=data["plan"], unit=unit, tasks=tasks))
    for username in data["desks"][:n_desks]:
        users.append(Desk(port, username, rec, random.Random(rng.random()), box, plan=data["plan"]))
    for username in data["office"][:n_office]:
        users.append(
            Office(
                port,
                username,
                rec,
                random.Random(rng.random()),
                box,
                plan=data["plan"],
                snapshot=data["snapshot"],
                units=data["all_units"],
            )
        )
    return users


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=100, help="simulated users: 70 %% units, 20 %% desks, 10 %% office")
    parser.add_argument("--units", type=int, default=300, help="units in the scaled plan")
    parser.add_argument("--duration", type=float, default=300, help="seconds of load after every user has logged in")
    parser.add_argument("--port", type=int, default=8766)
    parser.add_argument("--seed", type=int, default=2020)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="kaohe-bench-mixed-"))
    env = {
        **os.environ,
        "DATABASE_URL": f"{PG}/{DB}",
        "DJANGO_SECRET_KEY": "bench-only",
        "KAOHE_AUDIT_KEY": "bench-only-audit-key-0123456789abcdef",
        "DJANGO_DEBUG": "false",
        "KAOHE_VAR_DIR": str(work / "var"),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "KAOHE_CACHE": "database",
        "KAOHE_LOGIN_FAILURE_LIMIT": "1000",
        "KAOHE_UPLOAD_RATE_FILES_PER_MINUTE": "600",
        "KAOHE_UPLOAD_RATE_MB_PER_HOUR": "100000",
        "KAOHE_LOG_LEVEL": "WARNING",
    }
    env.pop("KAOHE_TESTING", None)
    server: subprocess.Popen[bytes] | None = None
    try:
        started = time.perf_counter()
        print(f"preparing {DB}: demo plan scaled to {args.units} units …", flush=True)
        data = prepare(env, args.units, office=max(1, round(args.users * 0.1)))
        print(
            f"  ready in {time.perf_counter() - started:.0f} s: {len(data['all_units'])} units, {len(data['desks'])} desks",
            flush=True,
        )
        server = start_gunicorn(args.port, env, work / "gunicorn.log")
        rec = Recorder()
        box = [float("inf")]
        users = build_users(args, data, args.port, rec, box)
        kinds: dict[str, int] = defaultdict(int)
        for user in users:
            kinds[type(user).__name__] += 1
        print(f"{len(users)} users ({dict(kinds)}) logging in …", flush=True)
        login_started = time.perf_counter()
        login_errors: list[str] = []

        def login(user: User) -> None:
            t0 = time.perf_counter()
            try:
                user.browser.login(user.username)
                rec.add("login (before the clock)", time.perf_counter() - t0)
            except (OSError, RuntimeError, http.client.HTTPException) as exc:
                login_errors.append(f"{user.username}: {exc!r}")

        threads = [threading.Thread(target=login, args=(u,)) for u in users]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        print(f"  logged in in {time.perf_counter() - login_started:.1f} s, {len(login_errors)} failures", flush=True)
        for err in login_errors[:5]:
            print("   ", err)

        sampler = MemorySampler(server.pid)
        sampler.start()
        postmaster = postmaster_pid()
        cpu_before = tree_cpu_seconds(server.pid), tree_cpu_seconds(postmaster), time.process_time()
        box[0] = time.monotonic() + args.duration
        clock = time.perf_counter()
        threads = [threading.Thread(target=u.loop) for u in users]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.perf_counter() - clock
        cpu = (
            tree_cpu_seconds(server.pid) - cpu_before[0],
            tree_cpu_seconds(postmaster) - cpu_before[1],
            time.process_time() - cpu_before[2],
        )
        sampler.stop.set()
        sampler.join()
        report(rec, elapsed, sampler, login_errors, cpu)
        log = (work / "gunicorn.log").read_text(errors="replace")
        tracebacks = log.count("Traceback")
        print(f"gunicorn error log: {len(log.splitlines())} lines, {tracebacks} tracebacks")
        if tracebacks:
            print(log[-3000:])
    finally:
        if server is not None:
            server.terminate()
            server.wait()
        shutil.rmtree(work, ignore_errors=True)
        if args.keep:
            print(f"kept {PG}/{DB}")
        else:
            psql(f"DROP DATABASE IF EXISTS {DB}")


def report(
    rec: Recorder, elapsed: float, sampler: MemorySampler, login_errors: list[str], cpu: tuple[float, float, float]
) -> None:
    measured = {k: v for k, v in rec.latencies.items() if not k.startswith("login")}
    total = sum(len(v) for v in measured.values())
    errors = sum(n for k, n in rec.error_count.items() if not k.startswith("login")) + len(login_errors)
    everything = [x for v in measured.values() for x in v]
    print(
        f"\n{total} requests in {elapsed:.1f} s = {total / elapsed:.1f} req/s   "
        f"all pages p50 {pct(everything, 50) * 1000:.0f} ms  p95 {pct(everything, 95) * 1000:.0f} ms  "
        f"p99 {pct(everything, 99) * 1000:.0f} ms   errors {errors}"
    )
    print(
        f"server peak RSS (master + 4 workers) {sampler.peak:.0f} MB; at the end {sampler.samples[-1] if sampler.samples else 0:.0f} MB"
    )
    load = sampler.load or [0.0]
    print(
        f"CPU during the run: gunicorn {cpu[0]:.0f} s ({cpu[0] / max(total, 1) * 1000:.0f} ms per request), "
        f"PostgreSQL {cpu[1]:.0f} s, this load generator {cpu[2]:.0f} s, of {elapsed * (os.cpu_count() or 1):.0f} s on "
        f"{os.cpu_count()} cores; load average mean {sum(load) / len(load):.1f}, max {max(load):.1f}"
    )
    print(f"\n{'page':<28} {'count':>6} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'errors':>7}")
    for page in sorted(rec.latencies):
        values = rec.latencies[page]
        print(
            f"{page:<28} {len(values):>6} {pct(values, 50) * 1000:>8.0f} {pct(values, 95) * 1000:>8.0f} "
            f"{pct(values, 99) * 1000:>8.0f} {rec.error_count.get(page, 0):>7}"
        )
    for err in rec.errors:
        print("  ", err)


if __name__ == "__main__":
    main()
