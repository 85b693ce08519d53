"""The `sieulive` command: run, migrate, seed, import and make tokens.

`sieulive dev` is the newcomer's path: embedded SQLite and Redis, one web server and one
worker, the demo campaign seeded on first start, and a demo token for each role printed.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from live.settings import Settings, load_settings


def _settings(args: argparse.Namespace) -> Settings:
    settings = load_settings()
    if getattr(args, "data_dir", None):
        settings = settings.with_overrides(data_dir=Path(args.data_dir))
    return settings


def _export(settings: Settings) -> None:
    """Children (web, worker) read the same settings from the environment."""
    os.environ["SIEULIVE_DATA_DIR"] = str(settings.data_dir)
    if settings.redis_url:
        os.environ["REDIS_URL"] = settings.redis_url


def _dev_webhook_secret(settings: Settings) -> str:
    """Webhooks work out of the box: a configured default secret wins, else the data folder's
    own (made on first start), handed to the web process like any other setting."""
    from live.sales.tools.client import SECRET_ENV, dev_secret

    name = SECRET_ENV + "DEFAULT"
    if not os.environ.get(name):
        os.environ[name] = dev_secret(settings.data_dir)
    return os.environ[name]


def _dev_shop_key(settings: Settings) -> None:
    """Shops' secrets are encrypted with SIEULIVE_SHOP_KEY: the data folder's own, made on
    first start, unless one is configured."""
    from live.shops.secrets import dev_key

    os.environ.setdefault("SIEULIVE_SHOP_KEY", dev_key(settings.data_dir))


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

    settings = _settings(args)
    upgrade(settings)
    db = Database(settings)
    path = Path(args.file)

    def progress(done: int, total: int) -> None:
        width = 30
        filled = width * done // max(total, 1)
        print(
            f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total}",
            end="",
            file=sys.stderr,
            flush=True,
        )

    try:
        summary = run_file_import(
            db, path.name, path.read_bytes(), kind=args.kind, progress=progress
        )
    except DomainError as exc:
        print(file=sys.stderr)
        print(f"import refused: {exc.message}", file=sys.stderr)
        for err in exc.details.get("errors", []):
            print(f"  {err.get('sheet', '')} line {err['line']}: {err['message']}", file=sys.stderr)
        return 1
    finally:
        db.dispose()
    print(file=sys.stderr)
    print(summary, file=sys.stderr)
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from live.app import create_app
    from live.hub.hub import MAX_CLIENT_MESSAGE
    from live.limits import raise_file_limit

    raise_file_limit()
    settings = _settings(args)
    app = create_app(settings)
    uvicorn.run(
        app,
        host=args.host,
        port=args.port,
        log_level=args.log_level,
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
    from live.migrate import upgrade

    settings = _settings(args)
    embedded = None
    if not settings.redis_url:
        from live.redis_conn import embedded_url, start_embedded

        embedded = start_embedded(settings)
        settings = settings.with_overrides(redis_url=embedded_url(embedded))
    _export(settings)
    secret = _dev_webhook_secret(settings)
    _dev_shop_key(settings)
    upgrade(settings)
    db = Database(settings)
    try:
        seed_demo(db)
        tokens = demo_tokens(db)
        campaign_id = _first_campaign(db)
        session_id = _first_session(db)
        example = _example_order(db)
    finally:
        db.dispose()

    base = f"http://{args.host}:{args.port}"
    worker = subprocess.Popen([sys.executable, "-m", "live.cli", "worker"])
    web = subprocess.Popen(
        [sys.executable, "-m", "live.cli", "serve", "--host", args.host, "--port", str(args.port)]
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

    return bench_fanout(args.clients, args.rounds, args.client_procs, args.web_processes, args.json)


def cmd_send_order(args: argparse.Namespace) -> int:
    import json

    from live.sales.tools import client

    secret = client.find_secret(args.platform, args.secret, _settings(args).data_dir)
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
    print(f"HTTP {status}")
    print(json.dumps(answer, ensure_ascii=False, indent=2))
    return 0 if 200 <= status < 300 else 1


def cmd_rehearse(args: argparse.Namespace) -> int:
    import json

    from live.sales.tools import client, rehearse

    token = args.token or os.environ.get("SIEULIVE_TOKEN")
    if not token:
        print("a producer token is needed: --token or SIEULIVE_TOKEN", file=sys.stderr)
        return 2
    data_dir = _settings(args).data_dir
    try:
        summary = rehearse.run(
            args.url,
            token,
            args.session,
            lambda platform: client.find_secret(platform, args.secret, data_dir),
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
    print(json.dumps(summary.as_dict(), ensure_ascii=False, indent=2))
    return 0 if summary.refused_requests == 0 else 1


def cmd_bench_orders(args: argparse.Namespace) -> int:
    from live.bench.orders import main as bench_orders

    return bench_orders(args)


def cmd_reconcile(args: argparse.Namespace) -> int:
    import json

    from live.db import Database
    from live.redis_conn import connect
    from live.sales.pipeline.reconcile import reconcile

    settings = _settings(args)
    db = Database(settings)
    redis = connect(settings)
    try:
        report = reconcile(db, redis, repair=not args.check)
    finally:
        db.dispose()
        redis.close()
    print(json.dumps({**report.__dict__, "clean": report.clean}, ensure_ascii=False, indent=2))
    return 0 if report.clean or not args.check else 1


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
    serve.add_argument("--log-level", default="info")
    worker = add("worker", cmd_worker, "run an RQ worker")
    worker.add_argument("--burst", action="store_true", help="stop when the queues are empty")
    worker.add_argument(
        "--worker-class",
        choices=["fork", "simple"],
        default="simple",
        help="simple (default): jobs in the worker process, its DB engine kept warm; "
        "fork: RQ's default, a forked work horse per job",
    )
    add("migrate", cmd_migrate, "apply database migrations")
    add("seed", cmd_seed, "seed the demo campaign (once)")
    imp = add("import", cmd_import, "import a CSV or XLSX file, all or nothing")
    imp.add_argument("file")
    imp.add_argument(
        "--kind",
        choices=["suppliers", "products", "creators", "sessions", "segments"],
        help="what the file holds (CSV)",
    )
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
    from live.platforms.sim.command import add_command as add_platform_sim
    from live.shops.commands import add_commands as add_shop_commands

    add_shop_commands(add)
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
    from live.assembly import assemble

    args = build_parser().parse_args(argv)
    assemble()
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
