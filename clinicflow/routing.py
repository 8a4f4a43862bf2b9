"""WebSocket routes; the live-update consumer joins them with the settings issue."""

websocket_urlpatterns: list = []
