"""HTTP and WebSocket on one port: Django for HTTP, channels' router for /ws/."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from agencies.ws_auth import OriginValidator, WebsocketAuthStack  # noqa: E402
from conferences.routing import websocket_urlpatterns  # noqa: E402
from config.runtime import settle  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": OriginValidator(
            WebsocketAuthStack(URLRouter(websocket_urlpatterns))
        ),
    }
)

settle()
