"""Static files: which of the installed apps' files `collectstatic` gathers."""

from django.contrib.staticfiles.apps import StaticFilesConfig as DjangoStaticFilesConfig


class StaticFilesConfig(DjangoStaticFilesConfig):
    """Django's, leaving out vendored trees that no page of Concord links.

    django-viewflow 2.4 ships `viewflow/fonts/roboto/node_modules/`, a copy of the roboto-fontface
    package whose stylesheet names font files at paths the wheel does not have. No page uses it
    (viewflow links `viewflow/fonts/roboto/roboto-fontface.css`, whose fonts are all there), but
    the manifest storage resolves every `url()` of every collected stylesheet and stops at the
    first missing one. viewflow's Plotly Dash bundles (its `viewflow.contrib.plotly` dashboards,
    not installed here) are 60 MB that collectstatic would hash and compress for nothing.
    """

    ignore_patterns = [
        *DjangoStaticFilesConfig.ignore_patterns,
        "node_modules",
        "viewflow/js/contrib/dash/*",
    ]
