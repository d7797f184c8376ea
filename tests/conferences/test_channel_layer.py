"""The meetings' channel layer on real Redis: a message to a group is decoded once per process."""

import asyncio
import uuid

import pytest
from channels.layers import get_channel_layer
from django.conf import settings

from tests.threads import run_scenario

pytestmark = pytest.mark.skipif(not settings.REDIS_URL, reason="the Redis pub/sub layer")


def _counting_decodes(layer) -> list[bytes]:
    """Spy on the serializer channels-redis decodes with (the real one still does the work)."""
    seen: list[bytes] = []
    real = layer._serializer.deserialize

    def deserialize(message):
        seen.append(message)
        return real(message)

    layer._serializer.deserialize = deserialize
    return seen


def test_one_message_to_a_group_is_decoded_once_for_all_its_sockets():
    async def scenario():
        layer, group = get_channel_layer(), f"room-{uuid.uuid4().hex}"
        channels = [await layer.new_channel() for _ in range(10)]
        for channel in channels:
            await layer.group_add(group, channel)
        decoded = _counting_decodes(layer)
        await layer.group_send(group, {"type": "note.deliver", "text": "Victim reports texts"})
        received = [await asyncio.wait_for(layer.receive(c), 5) for c in channels]
        for channel in channels:
            await layer.group_discard(group, channel)
        return received, decoded

    received, decoded = run_scenario(scenario)
    assert received == [{"type": "note.deliver", "text": "Victim reports texts"}] * 10
    assert len(decoded) == 1
    received[0]["text"] = "changed by one socket"  # each socket has a dict of its own
    assert received[1]["text"] == "Victim reports texts"


def test_each_message_is_decoded_and_the_memory_of_them_is_bounded():
    async def scenario():
        layer, group = get_channel_layer(), f"room-{uuid.uuid4().hex}"
        channel = await layer.new_channel()
        await layer.group_add(group, channel)
        decoded = _counting_decodes(layer)
        count = layer.recent + 20
        for n in range(count):
            await layer.group_send(group, {"type": "note.deliver", "text": f"note {n}"})
        received = [(await asyncio.wait_for(layer.receive(channel), 5))["text"]
                    for _ in range(count)]
        await layer.group_discard(group, channel)
        return received, decoded, len(layer._decoded), layer.recent

    received, decoded, kept, recent = run_scenario(scenario)
    assert received == [f"note {n}" for n in range(len(received))]
    assert len(decoded) == len(received)  # no two messages taken for one
    assert kept == recent
