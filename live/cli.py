"""The `sieulive` command: run, migrate, seed, import and make tokens.

`sieulive dev` is the newcomer's path: embedded SQLite and Redis, one web server and one
worker, the demo campaign seeded on first start, and a demo token for each role printed.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from live.settings import Secret, Settings, child_environment, load_settings


def _settings(args: argparse.Namespace) -> Settings:
    settings = load_settings()
    if getattr(args, "data_dir", None):
        settings = settings.with_overrides(data_dir=Path(args.data_dir))
    return settings


def _dev_webhook_secret(settings: Settings) -> Settings:
    """Webhooks work out of the box: a configured default secret wins, else the data folder's
    own (made on first start), handed to the web process like any other setting."""
    from live.sales.tools.client import dev_secret

    if settings.webhook_secrets.get("default"):
        return settings
    secret = Secret(dev_secret(settings.data_dir))
    return settings.with_overrides(webhook_secrets={**settings.webhook_secrets, "default": secret})


def cmd_config(args: argparse.Namespace) -> int:
    """The effective configuration: every setting, its value (secrets masked), where it came
    from; and SIEULIVE_ variables no setting reads (a typo keeps the default silently)."""
    import json

    from live.settings import unknown_variables

    rows = _settings(args).describe()
    unknown = unknown_variables()
    if args.json:
        print(json.dumps({"settings": rows, "unknown_variables": unknown}, ensure_ascii=False))
        return 0
    width = max(len(r["variable"]) for r in rows)
    for row in rows:
        source = "" if row["source"] == "default" else f"  ({row['source']})"
        print(f"{row['variable']:<{width}}  {row['value']}{source}")
        print(f"{'':<{width}}  {row['meaning']}")
    for name in unknown:
        print(f"warning: {name} is set but no setting reads it (a typo?)", file=sys.stderr)
    return 0


def _dev_shop_key(settings: Settings) -> Settings:
    """Shops' secrets are encrypted with SIEULIVE_SHOP_KEY: the data folder's own, made on
    first start, unless one is configured."""
    from live.shops.secrets import dev_key

    if settings.shop_key:
        return settings
    return settings.with_overrides(shop_key=Secret(dev_key(settings.data_dir)))


def _migrated(settings: Settings) -> None:
    from live.migrate import upgrade

    upgrade(settings)


def cmd_migrate(args: argparse.Namespace) -> int:
    from live.migrate import upgrade

    upgrade(_settings(args))
    print("database is up to date", file=sys.stderr)
    return 0


def cmd_seed(args: argparse.Namespace) -> int:
    from live.db import Database
    from live.demo.seed import seed_demo
    from live.migrate import upgrade

    settings = _settings(args)
    upgrade(settings)
    db = Database(settings)
    try:
        created = seed_demo(db)
    finally:
        db.dispose()
    print("demo campaign seeded" if created else "demo campaign already there", file=sys.stderr)
    return 0


def cmd_token_create(args: argparse.Namespace) -> int:
    from live.access.roles import Role
    from live.access.service import create_token
    from live.db import Database
    from live.migrate import upgrade

    settings = _settings(args)
    upgrade(settings)
    db = Database(settings)
    try:
        with db.unit_of_work() as session:
            _row, token = create_token(
                session,
                Role(args.role),
                args.name or "",
                creator_id=args.creator,
                supplier_id=args.supplier,
                retailer_id=args.retailer,
            )
    finally:
        db.dispose()
    print(token)
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from live.db import Database
    from live.errors import DomainError
    from live.imports.service import run_file_import
    from live.migrate import upgrade
    from live.terminal import import_refusal, import_summary, print_json, progress_bar

    settings = _settings(args)
    upgrade(settings)
    db = Database(settings)
    path = Path(args.file)

    try:
        with progress_bar(f"importing {path.name}") as progress:
            summary = run_file_import(
                db, path.name, path.read_bytes(), kind=args.kind, progress=progress
            )
    except DomainError as exc:
        errors = exc.details.get("errors", [])
        if args.json:
            print_json(exc.as_body())
        else:
            print(import_refusal(exc.message, errors), file=sys.stderr)
        return 1
    finally:
        db.dispose()
    print_json(summary) if args.json else print(import_summary(path.name, summary))
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from live.app import create_app
    from live.hub.admission import AdmittingHttpProtocol
    from live.hub.hub import MAX_CLIENT_MESSAGE
    from live.limits import raise_file_limit

    raise_file_limit()
    # The request handlers' threads (a producer's command reading and writing the DB) take the
    # GIL back from a busy event loop sooner: 0.5 ms instead of 5 ms at each of their queries,
    # so a command is not slowed tenfold while thousands of overlays reconnect.
    sys.setswitchinterval(0.0005)
    settings = _settings(args)
    app = create_app(settings)
    uvicorn.run(
        app,
        host=args.host,
        port=args.port,
        # Our logging set-up (live/logs.py) formats uvicorn's lines too; its access line is
        # replaced by the request middleware's, which leaves query strings (tokens) out.
        log_config=None,
        access_log=False,
        log_level=(args.log_level or settings.log_level).lower(),
        # uvicorn's httptools protocol, its websocket upgrades let through a few per turn of the
        # event loop: a reconnect storm can't hold a producer's command for seconds.
        http=AdmittingHttpProtocol,
        ws="websockets-sansio",
        # Clients send a few hundred bytes at a time: a bigger frame closes the socket (1009)
        # before it is read whole, instead of uvicorn's default 16 MiB.
        ws_max_size=MAX_CLIENT_MESSAGE,
        # Overlay frames are small and frequent: compression costs CPU and ~40 KiB a socket.
        ws_per_message_deflate=False,
        backlog=4096,
    )
    return 0


def cmd_worker(args: argparse.Namespace) -> int:
    from workers.runner import run_worker

    run_worker(_settings(args), burst=args.burst, worker_class=args.worker_class)
    return 0


def cmd_dev(args: argparse.Namespace) -> int:
    from live.db import Database
    from live.demo.seed import demo_tokens, seed_demo
    from live.metrics import prepare_folder
    from live.migrate import upgrade
    from live.tokens import kept_secret

    settings = _settings(args)
    embedded = None
    if not settings.redis_url:
        from live.redis_conn import embedded_url, start_embedded

        embedded = start_embedded(settings)
        settings = settings.with_overrides(redis_url=embedded_url(embedded))
    settings = _dev_webhook_secret(settings)
    settings = _dev_shop_key(settings)
    secret = settings.webhook_secrets["default"]
    # The web process's /metrics sums its own samples and the worker's.
    metrics_dir = settings.metrics_dir or settings.data_dir.resolve() / "metrics"
    prepare_folder(metrics_dir)
    settings = settings.with_overrides(metrics_dir=metrics_dir)
    # The web and worker processes load exactly these settings.
    env = child_environment(settings)
    upgrade(settings)
    db = Database(settings)
    try:
        seed_demo(db)
        # Derived from the data folder's key: the links printed below survive a restart.
        tokens = demo_tokens(db, kept_secret(settings.data_dir / "demo_key"))
        campaign_id = _first_campaign(db)
        session_id = _first_session(db)
        example = _example_order(db)
    finally:
        db.dispose()

    base = printed_base(settings, args.host, args.port)
    worker = subprocess.Popen([sys.executable, "-m", "live.cli", "worker"], env=env)
    web = subprocess.Popen(
        [sys.executable, "-m", "live.cli", "serve", "--host", args.host, "--port", str(args.port)],
        env=env,
    )
    _print_welcome(base, tokens, campaign_id, settings, session_id)
    _print_orders_welcome(base, args, secret, example)
    stopping = False

    def stop(*_: Any) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        while not stopping and web.poll() is None and worker.poll() is None:
            time.sleep(0.3)
    finally:
        for proc in (web, worker):
            if proc.poll() is None:
                proc.terminate()
        for proc in (web, worker):
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
        if embedded is not None:
            embedded.shutdown()
    return 0 if stopping else 1


def printed_base(settings: Settings, host: str, port: int) -> str:
    """Where the printed links point: the configured public URL, else the address served
    (`--host`/`--port`); a server on every address is reached on this machine at 127.0.0.1.
    Links the server hands out take the address their reader used (`live/api/routing.py`)."""
    if settings.public_url:
        return settings.public_url
    if host in ("", "0.0.0.0", "::", "[::]"):
        host = "127.0.0.1"
    elif ":" in host and not host.startswith("["):
        host = f"[{host}]"  # an IPv6 address in a URL
    return f"http://{host}:{port}"


def _first_campaign(db: Any) -> int | None:
    from sqlalchemy import select

    from live.schedule.models import Campaign

    with db.reading() as session:
        return session.scalar(select(Campaign.id).order_by(Campaign.id).limit(1))


def _example_order(db: Any) -> tuple[str, str, int] | None:
    """A session code and a product of its run-of-show, for the welcome's order example."""
    from sqlalchemy import select

    from live.catalog.models import Product
    from live.schedule.models import LiveSession, Segment

    with db.reading() as session:
        row = session.execute(
            select(LiveSession.code, Product.sku, Product.live_price)
            .join(Segment, Segment.session_id == LiveSession.id)
            .join(Product, Product.id == Segment.product_id)
            .order_by(LiveSession.scheduled_start, Segment.position)
            .limit(1)
        ).first()
    return (row[0], row[1], int(row[2])) if row else None


def _print_orders_welcome(
    base: str, args: argparse.Namespace, secret: str, example: tuple[str, str, int] | None
) -> None:
    where = "" if base == "http://127.0.0.1:8000" else f" --url {base}"
    if getattr(args, "data_dir", None):
        where += f" --data-dir {args.data_dir}"
    lines = [
        "Order webhooks (POST /webhooks/orders/{platform}, docs/orders.md):",
        f"  secret: {secret}  (SIEULIVE_WEBHOOK_SECRET_DEFAULT)",
    ]
    if example:
        code, sku, price = example
        lines.append(
            f"  try:    sieulive send-order{where} --order-id DEMO-0001 --sku {sku}"
            f" --quantity 1 --price {price} --live-code {code}"
        )
    print("\n".join([*lines, ""]), flush=True)


def _first_session(db: Any) -> int | None:
    """The demo's first session (SLHV-01), hosted by the first creator: the one the creator
    demo token belongs to, so both console links open."""
    from sqlalchemy import select

    from live.schedule.models import LiveSession

    with db.reading() as session:
        return session.scalar(select(LiveSession.id).order_by(LiveSession.id).limit(1))


def _token_supplier(settings: Settings, token: str) -> int | None:
    """Whose sales the demo supplier token opens (its page's address names the supplier)."""
    from live.access.service import authenticate
    from live.db import Database

    db = Database(settings)
    try:
        with db.reading() as session:
            return authenticate(session, token).supplier_id
    finally:
        db.dispose()


def _print_welcome(
    base: str,
    tokens: dict[str, str],
    campaign_id: int | None,
    settings: Settings,
    session_id: int | None = None,
) -> None:
    lines = [
        "",
        "sieulive is running — dữ liệu demo “Siêu live hàng Việt” đã sẵn sàng",
        f"  data folder: {settings.data_dir.resolve()}",
        f"  API:         {base}/api  (OpenAPI: {base}/openapi.json)",
        "",
        "Pages (each link carries that role's demo token):",
    ]
    if campaign_id:
        lines.append(
            f"  calendar (producer): {base}/campaigns/{campaign_id}/calendar"
            f"?token={tokens['producer']}"
        )
    if campaign_id:
        lines += [
            f"  sales (producer):    {base}/campaigns/{campaign_id}/sales"
            f"?token={tokens['producer']}",
            f"  sales (retailer):    {base}/campaigns/{campaign_id}/retail"
            f"?token={tokens['retailer']}",
        ]
        supplier_id = _token_supplier(settings, tokens["supplier"])
        if supplier_id:
            lines.append(
                f"  sales (supplier):    {base}/suppliers/{supplier_id}/sales"
                f"?token={tokens['supplier']}"
            )
    if session_id:
        lines += [
            f"  producer console:    {base}/sessions/{session_id}/producer"
            f"?token={tokens['producer']}",
            f"  creator console:     {base}/sessions/{session_id}/creator"
            f"?token={tokens['creator']}",
        ]
    lines += ["", "Demo tokens (Authorization: Bearer <token>):"]
    lines += [f"  {role:<9} {token}" for role, token in tokens.items()]
    lines.append("")
    print("\n".join(lines), flush=True)


def cmd_bench_fanout(args: argparse.Namespace) -> int:
    from live.bench.fanout import main as bench_fanout

    return bench_fanout(
        args.clients,
        args.rounds,
        args.client_procs,
        args.web_processes,
        args.json,
        storm_clients=args.storm_clients,
        command_every=args.command_every,
        phases=args.phases,
    )


def cmd_send_order(args: argparse.Namespace) -> int:
    from live.sales.tools import client
    from live.terminal import print_json, webhook_answer

    secret = client.find_secret(args.platform, args.secret, _settings(args))
    if not secret:
        print(
            "no webhook secret: give --secret, set SIEULIVE_WEBHOOK_SECRET_DEFAULT, or point "
            "--data-dir at the folder of `sieulive dev`",
            file=sys.stderr,
        )
        return 2
    if args.file:
        from live.api.jsonparse import parse_json
        from live.errors import BadRequest

        try:
            payload: Any = parse_json(Path(args.file).read_bytes())
        except BadRequest as exc:
            print(f"{args.file}: {exc.message}", file=sys.stderr)
            return 2
        if isinstance(payload, list):
            payload = {"events": payload}
    elif args.order_id:
        payload = client.order_event(
            args.type,
            args.order_id,
            sku=args.sku,
            quantity=args.quantity,
            price=args.price,
            at=args.at,
            live_code=args.live_code,
            channel=args.channel,
            province=args.province,
        )
    else:
        print("give --order-id (and --sku …) or --file", file=sys.stderr)
        return 2
    http = client.Http(args.url)
    try:
        # A full or unavailable inbox is retried for a while, as a platform would.
        status, answer = client.post_events(http, args.platform, secret, payload, retry_for=30)
    except OSError as exc:
        print(f"can't reach {args.url}: {exc}", file=sys.stderr)
        return 1
    finally:
        http.close()
    if args.json:
        print_json({"status": status, "answer": answer})
    else:
        print(webhook_answer(status, answer))
    return 0 if 200 <= status < 300 else 1


def cmd_rehearse(args: argparse.Namespace) -> int:
    from live.sales.tools import client, rehearse
    from live.terminal import print_json, rehearsal_summary

    token = args.token or _settings(args).cli_token
    if not token:
        print("a producer token is needed: --token or SIEULIVE_TOKEN", file=sys.stderr)
        return 2
    settings = _settings(args)
    try:
        summary = rehearse.run(
            args.url,
            token,
            args.session,
            lambda platform: client.find_secret(platform, args.secret, settings),
            args.rate,
            args.seconds,
            allow_remote=args.allow_remote,
            seed=args.seed,
        )
    except (rehearse.Refused, ValueError) as exc:
        print(f"rehearse refused: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"can't reach {args.url}: {exc}", file=sys.stderr)
        return 1
    if args.json:
        print_json(summary.as_dict())
    else:
        print(rehearsal_summary(summary.as_dict()))
    return 0 if summary.refused_requests == 0 else 1


def cmd_bench_orders(args: argparse.Namespace) -> int:
    from live.bench.orders import main as bench_orders

    return bench_orders(args)


def cmd_reconcile(args: argparse.Namespace) -> int:
    from live.db import Database
    from live.redis_conn import connect
    from live.sales.pipeline.reconcile import reconcile
    from live.sales.pipeline.service import StillApplying, drains_paused
    from live.sales.tasks import enqueue_drain
    from live.terminal import print_json, reconcile_summary

    settings = _settings(args)
    db = Database(settings)
    redis = connect(settings)
    try:
        if args.check:
            report = reconcile(db, redis, repair=False)
        else:
            # Rewriting orders and aggregates while workers apply batches would lose their
            # increments: the drains hold still meanwhile (orders keep queueing).
            with drains_paused(redis):
                report = reconcile(db, redis, repair=True)
            enqueue_drain(redis)
    except StillApplying as exc:
        print(f"nothing repaired: {exc}; try again", file=sys.stderr)
        return 1
    finally:
        db.dispose()
        redis.close()
    answer = {**report.__dict__, "clean": report.clean}
    if args.json:
        print_json(answer)
    else:
        print(reconcile_summary(answer, repaired=not args.check))
    return 0 if report.clean or not args.check else 1


def cmd_requeue_dead(args: argparse.Namespace) -> int:
    from live.redis_conn import connect
    from live.sales.tools.queues import requeue_dead

    redis = connect(_settings(args))
    try:
        count = requeue_dead(redis)["requeued"]
    finally:
        redis.close()
    print(
        f"{count} dead order event(s) back in the inbox" + (": a drain is queued" if count else "")
    )
    return 0


def cmd_obs_bridge(args: argparse.Namespace) -> int:
    """The studio bridge (live/studios/bridge.py): runs until stopped, reconnecting both ways."""
    from live.studios.bridge import BridgeOptions, run_bridge

    settings = load_settings()
    token = args.token or settings.bridge_token or ""
    if not token:
        print("a bridge token is needed: --token or SIEULIVE_BRIDGE_TOKEN", file=sys.stderr)
        return 2
    if not args.server.startswith(("http://", "https://", "ws://", "wss://")):
        print(f"--server must be an http(s) address, not {args.server!r}", file=sys.stderr)
        return 2
    password = args.obs_password
    if password is None:
        password = settings.obs_password or ""
    run_bridge(
        BridgeOptions(server=args.server, token=token, obs_url=args.obs, obs_password=password)
    )
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="sieulive", description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", help="folder for the SQLite file and embedded Redis")
    sub = parser.add_subparsers(dest="command", required=True)

    def add(name: str, func: Any, help_: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_)
        p.add_argument("--data-dir", help=argparse.SUPPRESS, default=argparse.SUPPRESS)
        p.set_defaults(func=func)
        return p

    dev = add("dev", cmd_dev, "run web + worker on embedded defaults with the demo campaign")
    serve = add("serve", cmd_serve, "run the web server (uvicorn)")
    for p in (dev, serve):
        p.add_argument("--host", default="127.0.0.1")
        p.add_argument("--port", type=int, default=8000)
    serve.add_argument(
        "--log-level",
        type=str.upper,
        choices=["DEBUG", "INFO", "WARNING", "ERROR"],
        help="default: SIEULIVE_LOG_LEVEL",
    )
    worker = add("worker", cmd_worker, "run an RQ worker")
    worker.add_argument("--burst", action="store_true", help="stop when the queues are empty")
    worker.add_argument(
        "--worker-class",
        choices=["fork", "simple"],
        default="simple",
        help="simple (default): jobs in the worker process, its DB engine kept warm; "
        "fork: RQ's default, a forked work horse per job",
    )
    config = add("config", cmd_config, "print the effective configuration, secrets masked")
    config.add_argument("--json", action="store_true", help="one JSON object")
    add("migrate", cmd_migrate, "apply database migrations")
    add("seed", cmd_seed, "seed the demo campaign (once)")
    imp = add("import", cmd_import, "import a CSV or XLSX file, all or nothing")
    imp.add_argument("file")
    imp.add_argument(
        "--kind",
        choices=["suppliers", "products", "creators", "sessions", "segments"],
        help="what the file holds (CSV)",
    )
    imp.add_argument("--json", action="store_true", help="the summary as one JSON object")
    bench = add("bench", lambda a: 2, "benchmarks of the hot paths")
    bench_sub = bench.add_subparsers(dest="bench_command", required=True)
    fanout = bench_sub.add_parser("fanout", help="websocket fan-out vs naive loop vs floor")
    fanout.set_defaults(func=cmd_bench_fanout)
    fanout.add_argument("--clients", type=int, default=1000)
    fanout.add_argument("--rounds", type=int, default=9)
    fanout.add_argument("--client-procs", type=int, default=4)
    fanout.add_argument(
        "--web-processes",
        type=int,
        default=os.cpu_count() or 2,
        help="app web processes (the naive baseline always has one)",
    )
    fanout.add_argument(
        "--storm-clients",
        type=int,
        default=10_000,
        help="clients of the reconnect storm (ONE web process, the demo's session)",
    )
    fanout.add_argument(
        "--command-every",
        type=float,
        default=1.0,
        help="seconds between the producer's commands during the storm (each is a change "
        "written to every client connected so far)",
    )
    fanout.add_argument(
        "--phases",
        choices=("all", "fanout", "storm"),
        default="all",
        help="the fan-out comparison, the reconnect storm, or both",
    )
    fanout.add_argument("--json", action="store_true", help="one JSON object on one line")
    orders = bench_sub.add_parser(
        "orders",
        help="order pipeline (batched, one per request, a storm on 1 and N workers) "
        "vs one RQ job per order vs floor",
    )
    orders.set_defaults(func=cmd_bench_orders)
    orders.add_argument("--orders", type=int, default=20_000)
    orders.add_argument("--per-request", type=int, default=100, help="events a batched request")
    orders.add_argument(
        "--baseline-orders", type=int, help="orders for the baseline (default N/20, ≤ 150)"
    )
    orders.add_argument("--baseline-seconds", type=float, default=90, help="baseline time limit")
    orders.add_argument(
        "--workers",
        type=int,
        help="`sieulive worker` processes (default: 1 on SQLite, 2 on PostgreSQL)",
    )
    orders.add_argument(
        "--worker-class",
        choices=["fork", "simple"],
        default="simple",
        help="the pipeline's workers (the baseline always runs on RQ's default forking worker)",
    )
    orders.add_argument(
        "--storm-orders",
        type=int,
        help="orders of each storm phase, run on 1 worker then on --storm-workers "
        "(default: --orders; 0 skips them)",
    )
    orders.add_argument(
        "--storm-workers",
        type=int,
        help="workers of the N-worker storm phase (default: --workers, at least 2)",
    )
    orders.add_argument("--storm-seed", type=int, default=7, help="the storm's random seed")
    orders.add_argument(
        "--storm-rounds",
        type=int,
        default=4,
        help="rounds of each storm phase (its orders split between them), 1 and N workers "
        "alternating in the Thue-Morse order",
    )
    orders.add_argument("--web-processes", type=int, default=1)
    orders.add_argument("--client-procs", type=int, default=2)
    orders.add_argument("--threads", type=int, default=4, help="connections per client process")
    orders.add_argument("--json", action="store_true", help="one JSON object on one line")
    from live.bench.platforms import add_command as add_bench_platforms

    add_bench_platforms(bench_sub)
    send = add(
        "send-order",
        cmd_send_order,
        "sign and post one order event (or a JSON file of events) to a running server",
    )
    send.add_argument("--url", default="http://127.0.0.1:8000")
    send.add_argument(
        "--platform", default="tiktok_shop", choices=["tiktok_shop", "shopee", "lazada"]
    )
    send.add_argument(
        "--type",
        default="created",
        choices=["created", "paid", "cancelled", "returned", "delivered"],
    )
    send.add_argument("--order-id", help="the platform's order id")
    send.add_argument("--sku")
    send.add_argument("--quantity", type=int, default=1)
    send.add_argument("--price", type=int, default=0, help="unit price in đồng")
    send.add_argument("--live-code", help="live room or session code, e.g. SLHV-01")
    send.add_argument("--channel", help="the platform shop / channel")
    send.add_argument("--province", help="the buyer's province")
    send.add_argument("--at", help="event time, ISO 8601 with an offset (default: now)")
    send.add_argument("--file", help='a JSON file: one event, a list, or {"events": [...]}')
    send.add_argument("--json", action="store_true", help="status and answer as one JSON object")
    send.add_argument(
        "--secret",
        help="webhook secret (default: SIEULIVE_WEBHOOK_SECRET_<PLATFORM>/_DEFAULT, "
        "else the data folder's webhook_secret)",
    )
    storm = add(
        "rehearse",
        cmd_rehearse,
        "push a simulated order storm into a session in rehearsal (nothing counts as sales)",
    )
    storm.add_argument("session", metavar="SESSION", help="session id or code")
    storm.add_argument("--rate", type=float, default=50, help="orders a second (≤ 2000)")
    storm.add_argument("--seconds", type=float, default=30, help="how long (≤ 3600)")
    storm.add_argument("--url", default="http://127.0.0.1:8000")
    storm.add_argument("--token", help="a producer token (default: SIEULIVE_TOKEN)")
    storm.add_argument("--secret", help="webhook secret (default: as send-order)")
    storm.add_argument("--seed", type=int, help="random seed, for a repeatable storm")
    storm.add_argument(
        "--allow-remote", action="store_true", help="allow a server that isn't this machine"
    )
    storm.add_argument("--json", action="store_true", help="the summary as one JSON object")
    rec = add(
        "reconcile",
        cmd_reconcile,
        "recompute aggregates, live counters and flash-sale gates from the DB; repair",
    )
    rec.add_argument(
        "--check",
        action="store_true",
        help="report differences only (exit 1 if any); repair nothing",
    )
    rec.add_argument("--json", action="store_true", help="the report as one JSON object")
    add(
        "requeue-dead",
        cmd_requeue_dead,
        "put the order events no batch could apply back in the inbox, once the cause is fixed",
    )
    bridge = add(
        "obs-bridge", cmd_obs_bridge, "on the studio PC: drive OBS from sieulive's run-of-show"
    )
    bridge.add_argument("--server", required=True, help="sieulive's address, https://…")
    bridge.add_argument(
        "--token", help="the studio's bridge token (or SIEULIVE_BRIDGE_TOKEN, kept out of ps)"
    )
    bridge.add_argument("--obs", default="ws://127.0.0.1:4455", help="OBS's websocket server")
    bridge.add_argument(
        "--obs-password", help="OBS's websocket password (or OBS_WEBSOCKET_PASSWORD)"
    )

    from live.platforms.sim.command import add_command as add_platform_sim
    from live.shops.commands import add_commands as add_shop_commands

    add_shop_commands(add, prepare=_migrated)
    add_platform_sim(add)
    token = add("token", lambda a: 2, "manage API tokens")
    token_sub = token.add_subparsers(dest="token_command", required=True)
    create = token_sub.add_parser("create", help="make a token; prints it alone on stdout")
    create.set_defaults(func=cmd_token_create)
    create.add_argument(
        "--role", required=True, choices=["producer", "creator", "retailer", "supplier"]
    )
    create.add_argument("--name", default="")
    create.add_argument("--creator", type=int, help="creator id, for a creator token")
    create.add_argument("--supplier", type=int, help="supplier id, for a supplier token")
    create.add_argument("--retailer", type=int, help="retailer id, for a retailer token")
    return parser


def main(argv: list[str] | None = None) -> int:
    from live.logs import configure_logging
    from live.settings import SettingsError

    args = build_parser().parse_args(argv)
    try:
        settings = _settings(args)
        if getattr(args, "log_level", None):
            settings = settings.with_overrides(log_level=args.log_level)
    except SettingsError as exc:
        # A bad variable is the operator's to fix: say which, without a traceback.
        print(f"sieulive: {exc}", file=sys.stderr)
        return 2
    if settings.metrics_dir is not None:
        # prometheus-client writes there from the first metric made, at import.
        settings.metrics_dir.mkdir(parents=True, exist_ok=True)
    kind = {"serve": "web", "worker": "worker"}.get(args.command, "cli")
    configure_logging(settings, kind)
    if args.command != "migrate":
        # Each command applies migrations first; only `migrate` is about them.
        logging.getLogger("alembic").setLevel(logging.WARNING)
    from live.assembly import assemble

    assemble()
    try:
        return int(args.func(args) or 0)
    except SettingsError as exc:
        print(f"sieulive: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
