"""Static files: which of the installed apps' files are collected and served."""

from django.contrib.staticfiles import finders

# Vendored trees that no page of Concord links. django-viewflow 2.4 ships
# `viewflow/fonts/roboto/node_modules/`, a copy of the roboto-fontface package whose stylesheet
# names font files at paths the wheel does not have; no page uses it (viewflow links
# `viewflow/fonts/roboto/roboto-fontface.css`, whose fonts are all there), but the manifest
# storage resolves every `url()` of every collected stylesheet and stops at the first missing
# one. viewflow's Plotly Dash bundles (for `viewflow.contrib.plotly`, not installed here) are
# 60 MB that collectstatic would hash and compress for nothing.
UNUSED = ["node_modules", "viewflow/js/contrib/dash/*"]


class AppDirectoriesFinder(finders.AppDirectoriesFinder):
    """Django's finder of the apps' `static/` folders, without the UNUSED trees."""

    def list(self, ignore_patterns):
        return super().list([*(ignore_patterns or []), *UNUSED])
