"""Intake: order events from the platforms up to the durable inbox in Redis — the one internal
event shape (`events`), webhook signatures (`signing`), and the inbox the webhook appends to and
the drains claim batches from (`inbox`)."""
