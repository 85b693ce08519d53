"""Each platform's order statuses mapped onto sieulive's, every word of each vocabulary, and
detail answers read into orders with lines (SKUs, quantities, integer đồng)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from live.platforms import lazada, shopee, shopify, tiktok_shop

PLACED = "2020-10-26 15:50:38 +0700"
TIKTOK = {
    "UNPAID": "created", "ON_HOLD": "paid", "AWAITING_SHIPMENT": "paid",
    "AWAITING_COLLECTION": "paid", "PARTIALLY_SHIPPING": "paid", "IN_TRANSIT": "paid",
    "DELIVERED": "delivered", "COMPLETED": "delivered", "CANCEL": "cancelled",
    "CANCELLED": "cancelled",
}  # fmt: skip
SHOPEE = {
    "UNPAID": "created", "READY_TO_SHIP": "paid", "PROCESSED": "paid", "RETRY_SHIP": "paid",
    "SHIPPED": "paid", "TO_CONFIRM_RECEIVE": "delivered", "IN_CANCEL": "paid",
    "CANCELLED": "cancelled", "TO_RETURN": "returned", "COMPLETED": "delivered",
}  # fmt: skip


@pytest.mark.parametrize(("word", "kind"), TIKTOK.items())
def test_tiktok_vocabulary(word: str, kind: str) -> None:
    assert tiktok_shop.STATUSES.kind(word) == kind


@pytest.mark.parametrize(("word", "kind"), SHOPEE.items())
def test_shopee_vocabulary(word: str, kind: str) -> None:
    assert shopee.STATUSES.kind(word) == kind


def test_lazada_vocabulary_and_an_order_of_lines() -> None:
    assert lazada.STATUSES.kind("unpaid") == "created"
    assert lazada.STATUSES.kind("ready_to_ship") == "paid"
    assert lazada.STATUSES.kind("delivered") == "delivered"
    assert lazada.STATUSES.kind("canceled") == "cancelled"
    assert lazada.STATUSES.kind("failed_delivery") == "returned"
    assert lazada.order_kind(["paid", "delivered"]) == "paid"
    assert lazada.order_kind(["cancelled", "delivered"]) == "delivered"
    assert lazada.order_kind(["cancelled", "cancelled"]) == "cancelled"
    assert lazada.order_kind(["cancelled", "returned"]) == "returned"


def test_unknown_words_are_errors_not_guesses() -> None:
    with pytest.raises(ValueError, match="unknown order status"):
        tiktok_shop.STATUSES.kind("TELEPORTED")
    with pytest.raises(ValueError):
        shopify.order_kind({"financial_status": "mystery"})


@pytest.mark.parametrize(
    ("order", "kind"),
    [
        ({"financial_status": "pending"}, "created"),
        ({"financial_status": "authorized"}, "paid"),
        ({"financial_status": "paid"}, "paid"),
        ({"financial_status": "partially_refunded"}, "paid"),
        ({"financial_status": "paid", "fulfillment_status": "fulfilled"}, "delivered"),
        ({"financial_status": "pending", "fulfillment_status": "fulfilled"}, "delivered"),
        ({"financial_status": "voided"}, "cancelled"),
        ({"financial_status": "paid", "cancelled_at": "2024-09-26T19:05:12+07:00"}, "cancelled"),
        ({"financial_status": "refunded"}, "cancelled"),
        ({"financial_status": "refunded", "fulfillment_status": "fulfilled"}, "returned"),
    ],
)
def test_shopify_status_from_money_parcel_and_cancellation(order: dict, kind: str) -> None:
    assert shopify.order_kind(order) == kind


def test_tiktok_detail_one_item_a_unit_becomes_quantities() -> None:
    order = tiktok_shop.read_order(
        {
            "id": "576653688135258178",
            "status": "AWAITING_SHIPMENT",
            "create_time": 1718305585,
            "update_time": 1718305685,
            "line_items": [
                {"seller_sku": "BTR-KEODUA-500", "sale_price": "65000"},
                {"seller_sku": "BTR-KEODUA-500", "sale_price": "65000"},
                {"seller_sku": "TRA-SEN", "sale_price": "120000.00"},
            ],
            "recipient_address": {
                "district_info": [
                    {"address_level": "L0", "address_name": "Vietnam"},
                    {"address_level": "L1", "address_name": "Cần Thơ"},
                ]
            },
        }
    )
    assert order.kind == "paid"
    assert order.order_id == "576653688135258178"
    assert sorted((x.sku, x.quantity, x.unit_price) for x in order.lines) == [
        ("BTR-KEODUA-500", 2, 65_000), ("TRA-SEN", 1, 120_000)
    ]  # fmt: skip
    assert order.province == "Cần Thơ"
    assert order.created_at == datetime.fromtimestamp(1718305585, UTC)


def test_shopify_ids_past_2_53_stay_exact() -> None:
    order = shopify.read_order(
        {
            "id": 9007199254740993,
            "created_at": "2024-09-26T19:05:12+07:00",
            "updated_at": "2024-09-26T19:06:00+07:00",
            "financial_status": "paid",
            "fulfillment_status": None,
            "line_items": [{"sku": "BTR-KEODUA-500", "quantity": 3, "price": "65000.00"}],
            "shipping_address": {"province": "Hà Nội"},
        }
    )
    assert order.order_id == "9007199254740993"
    assert order.lines[0].unit_price == 65_000 and order.lines[0].quantity == 3


def test_shopee_and_lazada_details() -> None:
    order = shopee.read_order(
        {
            "order_sn": "220810QSK8S7BX", "order_status": "TO_RETURN", "create_time": 1660123127,
            "update_time": 1660123227,
            "item_list": [{"item_sku": "A", "model_sku": "A-500", "model_quantity_purchased": 2,
                           "model_discounted_price": 45000.0}],
            "recipient_address": {"state": "Đà Nẵng"},
        }
    )  # fmt: skip
    assert (order.kind, order.lines[0].sku, order.lines[0].unit_price) == (
        "returned",
        "A-500",
        45_000,
    )
    laz = lazada.read_order(
        {
            "order_id": 260422900000,
            "order_items": [
                {"sku": "S1", "item_price": 99000.0, "status": "delivered",
                 "created_at": PLACED, "updated_at": "2020-10-27 10:00:00 +0700"},
                {"sku": "S1", "item_price": 99000.0, "status": "canceled",
                 "created_at": PLACED, "updated_at": "2020-10-26 16:00:00 +0700"},
            ],
        }
    )  # fmt: skip
    assert laz.order_id == "260422900000" and laz.kind == "delivered"
    assert [(x.sku, x.quantity) for x in laz.lines] == [("S1", 2)]
