"""Shop secrets at rest: Fernet (AES-128-CBC + HMAC-SHA256, from `cryptography`) with the key
in SIEULIVE_SHOP_KEY, never in the database. Without the key nothing can be added or read: a
clear error rather than secrets stored in the clear."""

from __future__ import annotations

import json
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken

from live.errors import DomainError
from live.settings import Settings

KEY_FILE = "shop_key"


class NoShopKey(DomainError):
    status_code = 503
    code = "shop_key_missing"


def _fernet(settings: Settings) -> Fernet:
    if not settings.shop_key:
        raise NoShopKey(
            "SIEULIVE_SHOP_KEY is not set: shops' secrets are encrypted with it "
            "(make one with `python -c 'from cryptography.fernet import Fernet; "
            "print(Fernet.generate_key().decode())'`)"
        )
    try:
        return Fernet(settings.shop_key.encode())
    except ValueError as exc:
        raise NoShopKey("SIEULIVE_SHOP_KEY is not a Fernet key (32 bytes, base64)") from exc


def seal(settings: Settings, values: dict[str, str]) -> str:
    return _fernet(settings).encrypt(json.dumps(values).encode()).decode()


def open_sealed(settings: Settings, token: str) -> dict[str, str]:
    try:
        data: dict[str, str] = json.loads(_fernet(settings).decrypt(token.encode()))
    except InvalidToken as exc:
        raise NoShopKey(
            "a shop's secrets don't open with SIEULIVE_SHOP_KEY: it is not the key they were "
            "stored with"
        ) from exc
    return data


def dev_key(data_dir: Path) -> str:
    """The data folder's own key for `sieulive dev`, made on first start, owner-readable."""
    path = data_dir / KEY_FILE
    if path.exists():
        return path.read_text().strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    key = Fernet.generate_key().decode()
    path.touch(mode=0o600)
    path.write_text(key)
    return key
