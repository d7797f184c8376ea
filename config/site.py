"""The Material application shell (viewflow's frontend): one site, its applications and menus."""

from django.urls import path
from viewflow.urls import Application, AppMenuMixin, Site, Viewset

from agencies.views import HomeView


class HomeViewset(AppMenuMixin, Viewset):
    title = "Home"
    icon = "dashboard"
    index_path = path("", HomeView.as_view(), name="index")


class Workspace(Application):
    title = "Workspace"
    icon = "work"
    app_name = "workspace"
    viewsets = [HomeViewset(app_name="home")]


site = Site(
    title="Concord", primary_color="#37474f", secondary_color="#00897b", viewsets=[Workspace()]
)
