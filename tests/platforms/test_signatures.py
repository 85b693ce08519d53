"""Each platform's push signature against the official vector (TikTok) and vectors built from
each platform's documented construction; the API request signatures likewise. Verification is
over the raw bytes: the same JSON re-serialised does not verify."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json

from live.platforms import lazada, shopee, shopify, tiktok_shop
from live.platforms.common import Keys

TIKTOK_BODY = (
    b'{"type":1,"tts_notification_id":"7380066284010030890","shop_id":"7495540735365777507",'
    b'"timestamp":1718305585,"data":{"is_on_hold_order":true,"order_id":"576653688135258178",'
    b'"order_status":"UNPAID","update_time":1718305585}}'
)
TIKTOK_SIGNATURE = "5dec0f11ec2f6783b8deee53c9ffbf8d024302f7c7e7fa55a35d17629031ac05"
SHOPEE_BODY = (
    b'{"data":{"items":[],"ordersn":"220810QSK8S7BX","status":"PROCESSED",'
    b'"completed_scenario":"","update_time":1660123127},"shop_id":727720655,"code":3,'
    b'"timestamp":1660123127}'
)
SHOPEE_URL = "https://shop.example.vn/push/2"
LAZADA_BODY = (
    b'{"seller_id":"1234567","message_type":0,"data":{"order_status":"unpaid",'
    b'"trade_order_id":"260422900000","trade_order_line_id":"260422900001",'
    b'"status_update_time":1603698638},"timestamp":1603766859530,"site":"lazada_vn"}'
)
SHOPIFY_BODY = b'{"id":9007199254740993,"financial_status":"paid"}'


def keys(app_key: str, *secrets: str, **extra: str) -> Keys:
    return Keys(
        shop_ref="1", app_key=app_key, app_secrets=secrets, access_token="tok",
        api_base="http://x", **extra,
    )  # fmt: skip


def test_tiktok_official_vector() -> None:
    assert tiktok_shop.push_signature("abcdef", "123", TIKTOK_BODY) == TIKTOK_SIGNATURE
    assert tiktok_shop.ADAPTER.verify(
        keys("abcdef", "123"), {"authorization": TIKTOK_SIGNATURE}, TIKTOK_BODY, ""
    )


def test_tiktok_rejects_bearer_other_secret_and_reserialised_body() -> None:
    k = keys("abcdef", "123")
    adapter = tiktok_shop.ADAPTER
    assert not adapter.verify(k, {"authorization": "Bearer " + TIKTOK_SIGNATURE}, TIKTOK_BODY, "")
    assert not adapter.verify(
        keys("abcdef", "124"), {"authorization": TIKTOK_SIGNATURE}, TIKTOK_BODY, ""
    )
    reserialised = json.dumps(json.loads(TIKTOK_BODY)).encode()  # spaces after the colons
    assert not adapter.verify(k, {"authorization": TIKTOK_SIGNATURE}, reserialised, "")
    assert not adapter.verify(k, {}, TIKTOK_BODY, "")


def test_shopee_signs_the_callback_url_and_the_body() -> None:
    expected = "5558efae58274375e8cb208fca3a529d3761d32a36588beb785463573cf7cb8b"
    built = hmac.new(b"partnerkey123", SHOPEE_URL.encode() + b"|" + SHOPEE_BODY, hashlib.sha256)
    assert built.hexdigest() == expected
    assert shopee.push_signature("partnerkey123", SHOPEE_URL, SHOPEE_BODY) == expected
    k = keys("2001234", "partnerkey123", callback_url=SHOPEE_URL)
    # The configured URL is what counts, whatever URL the request reached (a proxy's).
    assert shopee.ADAPTER.verify(k, {"authorization": expected}, SHOPEE_BODY, "http://10.0.0.5/x")
    other = keys("2001234", "partnerkey123", callback_url=SHOPEE_URL + "/")
    assert not shopee.ADAPTER.verify(other, {"authorization": expected}, SHOPEE_BODY, "")


def test_lazada_signs_app_key_and_body() -> None:
    expected = "2a0dc0eafd65143d3b090f93adeafc18d53d91ade0953448b20d009a36865def"
    assert lazada.push_signature("100001", "lazsecret", LAZADA_BODY) == expected
    assert lazada.ADAPTER.verify(
        keys("100001", "lazsecret"), {"authorization": expected}, LAZADA_BODY, ""
    )
    assert not lazada.ADAPTER.verify(
        keys("100002", "lazsecret"), {"authorization": expected}, LAZADA_BODY, ""
    )


def test_shopify_base64_of_the_raw_body() -> None:
    expected = "Pa0L96bHc4PEK/lpYe4hH8j2WA9ZvDdReAw6EKMrX9k="
    digest = hmac.new(b"shpss_secret", SHOPIFY_BODY, hashlib.sha256).digest()
    assert base64.b64encode(digest).decode() == expected
    k = keys("client", "shpss_secret")
    assert shopify.ADAPTER.verify(k, {"x-shopify-hmac-sha256": expected}, SHOPIFY_BODY, "")
    hexed = hmac.new(b"shpss_secret", SHOPIFY_BODY, hashlib.sha256).hexdigest()
    assert not shopify.ADAPTER.verify(k, {"x-shopify-hmac-sha256": hexed}, SHOPIFY_BODY, "")


def test_during_a_rotation_both_secrets_verify() -> None:
    both = keys("abcdef", "new-secret", "123")
    assert tiktok_shop.ADAPTER.verify(both, {"authorization": TIKTOK_SIGNATURE}, TIKTOK_BODY, "")
    fresh = tiktok_shop.push_signature("abcdef", "new-secret", TIKTOK_BODY)
    assert tiktok_shop.ADAPTER.verify(both, {"authorization": fresh}, TIKTOK_BODY, "")


def test_api_request_signatures_follow_each_construction() -> None:
    params = {"app_key": "abcdef", "timestamp": "1718305585", "ids": "1,2", "access_token": "x"}
    text = (
        "/order/202309/orders" + "app_key" + "abcdef" + "ids" + "1,2" + "timestamp" + "1718305585"
    )
    tiktok = hmac.new(b"123", ("123" + text + "123").encode(), hashlib.sha256).hexdigest()
    assert tiktok_shop.api_signature("123", "/order/202309/orders", params) == tiktok

    base = "2001234/api/v2/order/get_order_detail1660123127tok727720655"
    expected = hmac.new(b"pk", base.encode(), hashlib.sha256).hexdigest()
    assert (
        shopee.api_signature(
            "pk", "2001234", "/api/v2/order/get_order_detail", 1660123127, "tok", "727720655"
        )
        == expected
    )

    laz = {
        "app_key": "100001",
        "timestamp": "1603766859530",
        "sign_method": "sha256",
        "access_token": "tok",
        "order_ids": "[1,2]",
    }
    text = "/orders/items/get" + "".join(k + v for k, v in sorted(laz.items()))
    upper = hmac.new(b"lazsecret", text.encode(), hashlib.sha256).hexdigest().upper()
    assert lazada.api_signature("lazsecret", "/orders/items/get", laz) == upper
