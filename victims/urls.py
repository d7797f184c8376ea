"""The victims API's URLs (under api/v1/) and its pages (under a case, in config/site.py)."""

api_urlpatterns: list = []
page_urlpatterns: list = []
