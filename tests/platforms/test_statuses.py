"""Each platform's order statuses mapped onto sieulive's, every word of each vocabulary, and
detail answers read into orders with lines (SKUs, quantities, integer đồng)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

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

# Lazada's order-item statuses: payment to the carrier is paid; a delivery that came back
# (failed, lost or damaged by the carrier, shipped back, scrapped) is off net as returned.
LAZADA = {
    "unpaid": "created", "pending": "paid", "topack": "paid", "packed": "paid",
    "repacked": "paid", "toship": "paid", "ready_to_ship": "paid",
    "ready_to_ship_pending": "paid", "shipped": "paid", "confirmed": "delivered",
    "delivered": "delivered", "canceled": "cancelled", "cancelled": "cancelled",
    "returned": "returned", "failed_delivery": "returned", "lost_by_3pl": "returned",
    "damaged_by_3pl": "returned", "shipped_back": "returned",
    "shipped_back_success": "returned", "shipped_back_failed": "returned",
    "package_scrapped": "returned",
}  # fmt: skip


@pytest.mark.parametrize(("word", "kind"), LAZADA.items())
def test_lazada_vocabulary(word: str, kind: str) -> None:
    assert lazada.STATUSES.kind(word) == kind


def test_every_word_each_platform_knows_is_in_these_tables() -> None:
    """A word added to an adapter without a row here fails: each vocabulary stays tested."""
    assert set(tiktok_shop.STATUSES.words) == set(TIKTOK)
    assert set(shopee.STATUSES.words) == set(SHOPEE)
    assert set(lazada.STATUSES.words) == set(LAZADA)


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
    # One of the two units was cancelled on its own: the line says so, the order goes on.
    assert [(x.sku, x.quantity, x.cancelled, x.returned) for x in laz.lines] == [("S1", 2, 1, 0)]


def test_lazada_lines_off_on_their_own_become_events_the_pipeline_takes_off() -> None:
    """Three lines: one cancelled, one delivered, one delivered then failed back. The order is
    delivered; its status event names the units off on each line, its `created` the lines as
    placed (refetched, the same events: the record keeps them once)."""
    from live.shops.fetching import events_of

    item = {"created_at": PLACED, "updated_at": "2020-10-28 10:00:00 +0700"}
    laz = lazada.read_order(
        {
            "order_id": 260422900001,
            "order_items": [
                {**item, "sku": "A", "item_price": 50000.0, "status": "canceled"},
                {**item, "sku": "B", "item_price": 70000.0, "status": "delivered"},
                {**item, "sku": "B", "item_price": 70000.0, "status": "delivered"},
                {**item, "sku": "C", "item_price": 30000.0, "status": "failed_delivery"},
            ],
        }
    )
    assert laz.kind == "delivered"
    created, status = events_of(laz, "kenh")

    def lines(event: Any) -> list[tuple[Any, ...]]:
        return [(x.sku, x.quantity, x.cancelled_quantity, x.returned_quantity) for x in event.lines]

    assert lines(created) == [("A", 1, None, None), ("B", 2, None, None), ("C", 1, None, None)]
    assert status.type == "delivered"
    assert lines(status) == [("A", 1, 1, None), ("B", 2, None, None), ("C", 1, None, 1)]


RETURN_PUSH = {
    "type": 12,
    "tts_notification_id": "7380066284010030891",
    "shop_id": "7495540735365777507",
    "timestamp": 1718405585,
    "data": {
        "order_id": "576653688135258178",
        "return_id": "4035245365236283",
        "return_role": "BUYER",
        "return_type": "RETURN_AND_REFUND",
        "return_status": "RETURN_OR_REFUND_REQUEST_COMPLETE",
        "create_time": 1718405000,
        "update_time": 1718405585,
    },
}


@pytest.mark.parametrize(
    "status",
    sorted(tiktok_shop.RETURN_DONE | tiktok_shop.RETURN_NOT_YET | tiktok_shop.RETURN_REFUSED),
)
def test_tiktok_return_statuses(status: str) -> None:
    """Granted or completed: the order returned at the push's update time, nothing to fetch.
    Asked for, awaiting, shipped back, refused, cancelled, parcel refused: nothing changes."""
    push = {**RETURN_PUSH, "data": {**RETURN_PUSH["data"], "return_status": status}}
    notice = tiktok_shop.ADAPTER.read_push({}, push)
    assert notice.order_ids == () and notice.kind == "return"
    assert notice.shop_ref == "7495540735365777507"
    if status in tiktok_shop.RETURN_DONE:
        assert notice.returned == ("576653688135258178", datetime.fromtimestamp(1718405585, UTC))
    else:
        assert notice.returned is None


def test_a_tiktok_return_time_as_text_is_read_and_a_missing_one_is_an_error() -> None:
    """Never a return silently missed: an unreadable time is an unreadable push, which the
    worker keeps aside and counts."""
    text = {**RETURN_PUSH, "data": {**RETURN_PUSH["data"], "update_time": "1718405585"}}
    notice = tiktok_shop.ADAPTER.read_push({}, text)
    assert notice.returned == ("576653688135258178", datetime.fromtimestamp(1718405585, UTC))
    missing = {**RETURN_PUSH, "data": {**RETURN_PUSH["data"], "update_time": None}}
    with pytest.raises(ValueError):
        tiktok_shop.ADAPTER.read_push({}, missing)


def test_a_tiktok_replacement_keeps_the_sale_and_a_refund_only_does_not() -> None:
    replaced = {**RETURN_PUSH, "data": {**RETURN_PUSH["data"], "return_type": "REPLACEMENT"}}
    assert tiktok_shop.ADAPTER.read_push({}, replaced).returned is None
    refund = {**RETURN_PUSH, "data": {**RETURN_PUSH["data"], "return_type": "REFUND"}}
    assert tiktok_shop.ADAPTER.read_push({}, refund).returned is not None


def test_a_fetched_order_with_a_return_stays_returned() -> None:
    """TikTok's order API says COMPLETED after a return, with an update time past it: the
    fetch keeps `created` with its lines, drops the newer COMPLETED (it would put the order
    back on net), and says `returned` at the return's time. An older status goes through; a
    cancellation too."""
    from live.shops.fetching import events_of

    returned_at = datetime.fromtimestamp(1718405585, UTC)
    order = tiktok_shop.read_order(
        {
            "id": "576653688135258178", "status": "COMPLETED", "create_time": 1718305585,
            "update_time": 1718405675,
            "line_items": [{"seller_sku": "A", "sale_price": "65000"}],
        }
    )  # fmt: skip
    assert [e.type for e in events_of(order, "kenh", returned_at)] == ["created", "returned"]
    older = tiktok_shop.read_order(
        {
            "id": "576653688135258178", "status": "DELIVERED", "create_time": 1718305585,
            "update_time": 1718400000,
            "line_items": [{"seller_sku": "A", "sale_price": "65000"}],
        }
    )  # fmt: skip
    kinds = [(e.type, e.occurred_at) for e in events_of(older, "kenh", returned_at)]
    assert kinds == [
        ("created", datetime.fromtimestamp(1718305585, UTC)),
        ("delivered", datetime.fromtimestamp(1718400000, UTC)),
        ("returned", returned_at),
    ]
    cancelled = tiktok_shop.read_order(
        {
            "id": "576653688135258178", "status": "CANCELLED", "create_time": 1718305585,
            "update_time": 1718405675, "line_items": [],
        }
    )  # fmt: skip
    assert [e.type for e in events_of(cancelled, "kenh", returned_at)] == ["created", "cancelled"]
