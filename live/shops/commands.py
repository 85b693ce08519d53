"""`sieulive shop add|list|edit|rotate|backfill|deactivate|activate`: the shops from the
command line.

Secrets are never taken as arguments (they would sit in the shell's history and in `ps`):
`shop add` and `shop rotate` read them from SIEULIVE_APP_SECRET and SIEULIVE_ACCESS_TOKEN, or
ask for them without echo; `shop edit --access-token` reads a new token the same way.
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from live.settings import Secret, Settings, command_secret, load_settings

Add = Callable[[str, Callable[[argparse.Namespace], int], str], argparse.ArgumentParser]


def add_commands(add: Add, prepare: Callable[[Settings], None]) -> None:
    """`prepare(settings)` readies the database first (the CLI migrates it): an area's
    commands don't reach up to the entry point that owns the migrations."""
    shop = add(
        "shop",
        lambda a: 2,
        "platform shops: add, list, edit, rotate, backfill, deactivate",
    )
    shop.set_defaults(prepare=prepare)
    sub = shop.add_subparsers(dest="shop_command", required=True)
    new = sub.add_parser("add", help="register a shop (secrets from the environment or a prompt)")
    new.set_defaults(func=cmd_add)
    new.add_argument(
        "--platform", required=True, choices=["tiktok_shop", "shopee", "lazada", "shopify"]
    )
    new.add_argument(
        "--shop-id", required=True, help="the platform's shop / seller id, or Shopify domain"
    )
    new.add_argument("--app-key", required=True, help="app key / partner id / client id")
    new.add_argument("--channel", required=True, help="the platform channel sessions name")
    new.add_argument("--api-base", required=True, help="the platform API's base URL")
    new.add_argument("--callback-url", default="", help="exactly the push URL set in the console")
    new.add_argument("--name", default="")
    new.add_argument("--shop-cipher", default="", help="TikTok: the shop_cipher")
    new.add_argument("--calls-per-second", type=int, default=5)
    listing = sub.add_parser(
        "list", help="shops with their last push, last poll, pending, failures"
    )
    listing.set_defaults(func=cmd_list)
    listing.add_argument("--json", action="store_true")
    change = sub.add_parser(
        "edit", help="change a shop's name, channel, API base, callback URL, cipher, rate, token"
    )
    change.set_defaults(func=cmd_edit)
    change.add_argument("shop", metavar="SHOP", help="shop id, or the platform's shop id")
    change.add_argument("--name")
    change.add_argument("--channel", help="the platform channel sessions name")
    change.add_argument("--api-base", help="the platform API's base URL")
    change.add_argument(
        "--callback-url", help="exactly the push URL set in the console ('' : this server's)"
    )
    change.add_argument("--shop-cipher", help="TikTok: the shop_cipher")
    change.add_argument("--calls-per-second", type=int)
    change.add_argument(
        "--access-token",
        action="store_true",
        help="a new access token, from SIEULIVE_ACCESS_TOKEN or a prompt (never an argument)",
    )
    rot = sub.add_parser("rotate", help="a new app secret; the previous one verifies for a while")
    rot.set_defaults(func=cmd_rotate)
    rot.add_argument("shop", metavar="SHOP", help="shop id, or the platform's shop id")
    rot.add_argument("--grace-hours", type=float, default=24)
    back = sub.add_parser("backfill", help="poll a shop's orders updated since a time, now")
    back.set_defaults(func=cmd_backfill)
    back.add_argument("shop", metavar="SHOP", help="shop id, or the platform's shop id")
    back.add_argument("--since", required=True, help="ISO 8601, e.g. 2026-11-30T08:00:00+07:00")
    off = sub.add_parser(
        "deactivate", help="stop a shop: its pushes answered 200 and dropped, no backfill poll"
    )
    off.set_defaults(func=cmd_active, active=False)
    off.add_argument("shop", metavar="SHOP", help="shop id, or the platform's shop id")
    on = sub.add_parser(
        "activate", help="reactivate a shop: a backfill poll catches up from when it stopped"
    )
    on.set_defaults(func=cmd_active, active=True)
    on.add_argument("shop", metavar="SHOP", help="shop id, or the platform's shop id")


def _settings(args: argparse.Namespace) -> Settings:
    from live.shops.secrets import KEY_FILE

    settings = load_settings()
    if getattr(args, "data_dir", None):
        settings = settings.with_overrides(data_dir=Path(args.data_dir))
    key_file = settings.data_dir / KEY_FILE
    if settings.shop_key is None and key_file.exists():  # `sieulive dev`'s own key
        settings = settings.with_overrides(shop_key=Secret(key_file.read_text().strip()))
    return settings


def _secret(env: str, prompt: str, required: bool = True) -> str:
    value: str | None = command_secret(env)
    if value is None and sys.stdin.isatty():
        value = getpass.getpass(f"{prompt}: ")
    if required and not value:
        raise SystemExit(f"{prompt} is needed: set {env} or type it when asked")
    return value or ""


def _run(args: argparse.Namespace, work: Callable[[Any, Settings], int]) -> int:
    from live.db import Database
    from live.errors import DomainError

    settings = _settings(args)
    args.prepare(settings)
    db = Database(settings)
    try:
        return work(db, settings)
    except DomainError as exc:
        print(f"{exc.code}: {exc.message}", file=sys.stderr)
        return 1
    finally:
        db.dispose()


def cmd_add(args: argparse.Namespace) -> int:
    from pydantic import ValidationError

    from live.redis_conn import connect
    from live.shops import pushes
    from live.shops.service import ShopIn, add_shop, shop_out

    def work(db: Any, settings: Settings) -> int:
        try:
            body = ShopIn.model_validate(
                {
                    "platform": args.platform,
                    "shop_ref": args.shop_id,
                    "app_key": args.app_key,
                    "channel": args.channel,
                    "api_base": args.api_base,
                    "callback_url": args.callback_url,
                    "name": args.name,
                    "shop_cipher": args.shop_cipher,
                    "calls_per_second": args.calls_per_second,
                    "app_secret": _secret("SIEULIVE_APP_SECRET", "app secret / partner key"),
                    "access_token": _secret("SIEULIVE_ACCESS_TOKEN", "access token", False),
                }
            )
        except ValidationError as exc:
            for error in exc.errors():
                print(f"{'.'.join(map(str, error['loc']))}: {error['msg']}", file=sys.stderr)
            return 2
        with db.unit_of_work() as s:
            shop = add_shop(s, settings, body)
            s.flush()
            out = shop_out(settings, shop).model_dump()
        redis = connect(settings)
        redis.sadd(pushes.KNOWN, out["id"])
        redis.close()
        print(f"shop {out['id']} added: {out['platform']} {out['shop_ref']} → {out['channel']}")
        print(f"push URL: {out['push_url']}")
        print(f"set this in the platform's console: {out['callback_url']}")
        return 0

    return _run(args, work)


def cmd_list(args: argparse.Namespace) -> int:
    from sqlalchemy import select

    from live.redis_conn import connect
    from live.shops import pushes
    from live.shops.models import Shop
    from live.shops.service import shop_out

    def work(db: Any, settings: Settings) -> int:
        redis = connect(settings)
        try:
            with db.reading() as s:
                rows = [
                    shop_out(settings, x).model_dump()
                    for x in s.scalars(select(Shop).order_by(Shop.id))
                ]
            for row in rows:
                row["health"] = pushes.health(redis, row["id"])
        finally:
            redis.close()
        if args.json:
            print(json.dumps(rows, default=str, ensure_ascii=False, indent=2))
            return 0
        print(f"{'id':>3}  {'platform':<12} {'shop':<28} {'channel':<20} {'last push':<10} "
              f"{'last poll':<10} {'pending':>7} {'failures':>8}  status")  # fmt: skip
        for row in rows:
            h = row["health"]
            print(
                f"{row['id']:>3}  {row['platform']:<12} {row['shop_ref'][:28]:<28} "
                f"{row['channel'][:20]:<20} {_ago(h['last_push_at']):<10} "
                f"{_ago(h['last_poll_at']):<10} {h['pending_fetches']:>7} {h['failures']:>8}  "
                f"{_status(row)}"
            )
        return 0

    return _run(args, work)


def _status(row: dict[str, Any]) -> str:
    if row["active"]:
        return "active"
    since = row["deactivated_at"]
    dropped = row["health"]["ignored_pushes"]
    return f"deactivated since {since:%Y-%m-%d %H:%M} UTC, {dropped} push(es) dropped"


def _ago(moment: float | None) -> str:
    if moment is None:
        return "never"
    seconds = int(datetime.now(UTC).timestamp() - moment)
    return f"{seconds} s ago" if seconds < 120 else f"{seconds // 60} min ago"


def cmd_edit(args: argparse.Namespace) -> int:
    from pydantic import ValidationError

    from live.shops.service import ShopPatch, change_shop, get_shop

    def work(db: Any, settings: Settings) -> int:
        names = ("name", "channel", "api_base", "callback_url", "shop_cipher", "calls_per_second")
        given: dict[str, Any] = {n: getattr(args, n) for n in names if getattr(args, n) is not None}
        if args.access_token:
            given["access_token"] = _secret("SIEULIVE_ACCESS_TOKEN", "new access token")
        try:
            body = ShopPatch.model_validate(given)
        except ValidationError as exc:
            for error in exc.errors():
                where = ".".join(map(str, error["loc"])) or "shop edit"
                print(f"{where}: {error['msg']}", file=sys.stderr)
            return 2
        with db.unit_of_work() as s:
            shop = change_shop(settings, get_shop(s, args.shop), body)
            shop_id, callback = shop.id, shop.callback_url
        changed = ", ".join(sorted(n.replace("_", " ") for n in given))
        print(f"shop {shop_id}: {changed} changed (web processes see it within 5 s)")
        print(f"callback URL: {callback}")
        return 0

    return _run(args, work)


def cmd_rotate(args: argparse.Namespace) -> int:
    from live.shops.service import RotateIn, get_shop, rotate

    def work(db: Any, settings: Settings) -> int:
        body = RotateIn(
            app_secret=_secret("SIEULIVE_APP_SECRET", "new app secret / partner key"),
            access_token=command_secret("SIEULIVE_ACCESS_TOKEN"),
            grace_hours=args.grace_hours,
        )
        with db.unit_of_work() as s:
            shop = rotate(s, settings, get_shop(s, args.shop), body)
            until = shop.previous_until
        print(f"rotated; the previous secret verifies pushes until {until:%Y-%m-%d %H:%M} UTC")
        return 0

    return _run(args, work)


def cmd_backfill(args: argparse.Namespace) -> int:
    from live.redis_conn import connect
    from live.shops import backfill
    from live.shops.service import get_shop, require_active, view

    def work(db: Any, settings: Settings) -> int:
        since = datetime.fromisoformat(args.since)
        if since.tzinfo is None:
            print("--since needs a UTC offset, e.g. 2026-11-30T08:00:00+07:00", file=sys.stderr)
            return 2
        with db.reading() as s:
            row = get_shop(s, args.shop)
            require_active(row)
            shop = view(settings, row)
        redis = connect(settings)
        try:
            report = backfill.poll(redis, shop, since=since)
        finally:
            redis.close()
        print(json.dumps(report, ensure_ascii=False))
        if "error" in report:
            return 1
        print(
            f"{report['orders']} order(s) listed; the workers fetch their details", file=sys.stderr
        )
        return 0

    return _run(args, work)


def cmd_active(args: argparse.Namespace) -> int:
    from live.redis_conn import connect
    from live.shops.activation import set_active
    from live.shops.service import get_shop

    def work(db: Any, settings: Settings) -> int:
        redis = connect(settings)
        try:
            with db.unit_of_work() as s:
                shop = set_active(s, redis, get_shop(s, args.shop), args.active)
                shop_id, name = shop.id, shop.name
        finally:
            redis.close()
        if args.active:
            print(f"shop {shop_id} ({name}) reactivated; a backfill poll catches up from when "
                  "it was deactivated")  # fmt: skip
        else:
            print(f"shop {shop_id} ({name}) deactivated: its pushes are answered 200 and "
                  "dropped, its backfill poll stops (web processes see it within 5 s)")  # fmt: skip
        return 0

    return _run(args, work)
