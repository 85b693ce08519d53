"""Shop answers: the platforms the document names are the selling ones, and an answer read
from a row never carries its sealed secrets."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import get_args

from live.platforms import SELLING
from live.shops.models import Shop
from live.shops.schemas import SellingPlatform, ShopOut


def test_the_documented_platforms_are_the_selling_ones() -> None:
    assert set(get_args(SellingPlatform)) == {p.value for p in SELLING}


def test_a_shop_answer_says_its_secrets_are_set_and_nothing_more() -> None:
    shop = Shop(
        id=7,
        platform="shopee",
        name="Gạo ST25",
        shop_ref="123",
        app_key="k",
        channel="shopee:123",
        callback_url="",
        api_base="https://partner.shopeemobile.com",
        shop_cipher="",
        secrets="gAAAA-sealed",
        previous_secret="gAAAA-previous",
        calls_per_second=5,
        active=True,
        created_at=datetime(2026, 1, 1, tzinfo=UTC),
    )
    out = ShopOut.model_validate(shop, context={"public_url": "https://live.example"})
    dumped = out.model_dump(mode="json")
    assert dumped["secrets"] == "set"
    assert dumped["push_url"] == "https://live.example/push/7"
    assert "gAAAA" not in str(dumped)
