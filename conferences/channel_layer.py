"""The meetings' channel layer: channels-redis pub/sub, each published message decoded once.

A note sent to a meeting is one PUBLISH, which each server process receives once and puts, as the
same bytes, on the queue of every socket of its own in the group. channels-redis then decrypts
and unpacks that copy once per socket as each one receives it: 50 Fernet decryptions for one note
in a 50-socket meeting, on the server's one event loop. This layer keeps
the decoded form of the last messages by their bytes, so the other sockets reuse the first one's
work. Each socket still gets a dict of its own.
"""

from __future__ import annotations

import threading

from channels_redis.pubsub import RedisPubSubChannelLayer


class MeetingChannelLayer(RedisPubSubChannelLayer):
    # Enough for every message in flight: a socket takes its copy within moments of the others,
    # and a message that fell out is only decoded again.
    recent = 256

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._decoded: dict[bytes, dict] = {}
        self._lock = threading.Lock()  # one layer serves every event loop of the process

    def deserialize(self, message: bytes) -> dict:
        with self._lock:
            decoded = self._decoded.get(message)
        if decoded is None:
            decoded = super().deserialize(message)
            with self._lock:
                self._decoded[message] = decoded
                while len(self._decoded) > self.recent:
                    del self._decoded[next(iter(self._decoded))]
        return dict(decoded)
