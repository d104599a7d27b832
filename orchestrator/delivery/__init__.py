"""Handing outcomes to subscribers: events, per-subscriber queues and policies, the hub."""
