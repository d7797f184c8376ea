"""The rows the data migrations load (the screening instrument, bank holidays, the default local
policies, the retention schedules), put back.

Transactional tests (live servers, threads) end by emptying every table, data migrations' rows
included; whatever comes next may need them again.
"""

import importlib


def load_reference_data() -> None:
    from django.apps import apps

    from privacy.models import RetentionSchedule
    from referral.models import LocalPolicy, ScreeningInstrument
    from workflows import calendar

    if not ScreeningInstrument.objects.exists():
        importlib.import_module("referral.migrations.0002_stalking_screen_v1").load(apps, None)
        importlib.import_module("workflows.migrations.0002_bank_holidays").load(apps, None)
        calendar.refresh_holidays()
    if not LocalPolicy.objects.exists():
        importlib.import_module("referral.migrations.0012_local_policy_seeds").seed(apps, None)
        importlib.import_module("referral.migrations.0013_conference_criteria_v2").seed(apps, None)
    if not RetentionSchedule.objects.exists():
        importlib.import_module("privacy.migrations.0003_retention").seed(apps, None)
