
import django.core.validators
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


# Examples to start from: each partnership sets its own (the README says so). The longest that
# applies to a case wins.
DEFAULT_SCHEDULES = (
    ("declined", 2, "A referral declined at triage: kept two years after the decline, for a "
                    "repeat referral to be recognised."),
    ("no_conviction", 6, "A case closed with no offence convicted: kept six years after "
                         "closure."),
    ("convicted", 10, "A case in which a conviction stands: kept ten years after closure."),
    ("order_in_force", 6, "A case with a protective order: kept six years after the order "
                          "ends (its expiry, or the day it was discharged); an order without "
                          "an end date keeps the case."),
)


def seed(apps, schema_editor):
    """The example schedules, where none is set yet."""
    schedule = apps.get_model("privacy", "RetentionSchedule")
    for outcome, years, description in DEFAULT_SCHEDULES:
        schedule.objects.get_or_create(
            record_kind="case", outcome=outcome,
            defaults={"years": years, "action": "pseudonymise", "description": description},
        )


class Migration(migrations.Migration):
    """Retention schedules (seeded with examples), legal holds and retention reviews."""

    dependencies = [
        ('agencies', '0004_membership_demo_account'),
        ('privacy', '0002_subject_access'),
        ('referral', '0014_encrypted_fields'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='RetentionSchedule',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('record_kind', models.CharField(choices=[('case', 'A case and everything recorded on it')], default='case', max_length=20)),
                ('outcome', models.CharField(choices=[('declined', 'Referral declined'), ('no_conviction', 'Closed, no offence convicted'), ('convicted', 'Closed, a conviction stands'), ('order_in_force', 'A protective order was made (counted from its end)')], max_length=20)),
                ('years', models.PositiveSmallIntegerField(validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(100)])),
                ('action', models.CharField(choices=[('pseudonymise', 'Pseudonymise the personal data')], default='pseudonymise', max_length=20)),
                ('description', models.TextField(blank=True, max_length=2000)),
                ('updated_by', models.CharField(blank=True, max_length=150)),
                ('updated_at', models.DateTimeField(auto_now=True)),
            ],
            options={
                'ordering': ['record_kind', 'outcome'],
                'constraints': [models.UniqueConstraint(fields=('record_kind', 'outcome'), name='retention_schedule_one_per_outcome'), models.CheckConstraint(condition=models.Q(('years__gte', 1), ('years__lte', 100)), name='retention_schedule_years_range')],
            },
        ),
        migrations.CreateModel(
            name='LegalHold',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('reason', models.TextField(max_length=2000)),
                ('placed_at', models.DateTimeField()),
                ('lifted_at', models.DateTimeField(blank=True, null=True)),
                ('lift_reason', models.TextField(blank=True, max_length=2000)),
                ('agency', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='agencies.agency')),
                ('lifted_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('placed_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('referral', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='referral.referral')),
            ],
            options={
                'ordering': ['-placed_at', '-id'],
                'indexes': [models.Index(condition=models.Q(('lifted_at__isnull', True)), fields=['referral'], name='legal_hold_active_idx')],
                'constraints': [models.CheckConstraint(condition=models.Q(('lifted_at__isnull', True), models.Q(('lifted_by__isnull', False), models.Q(('lift_reason', ''), _negated=True)), _connector='OR'), name='legal_hold_lift_has_who_and_why')],
            },
        ),
        migrations.CreateModel(
            name='RetentionReview',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('outcome', models.CharField(choices=[('declined', 'Referral declined'), ('no_conviction', 'Closed, no offence convicted'), ('convicted', 'Closed, a conviction stands'), ('order_in_force', 'A protective order was made (counted from its end)')], max_length=20)),
                ('years', models.PositiveSmallIntegerField()),
                ('counted_from', models.DateField()),
                ('due_on', models.DateField()),
                ('status', models.CharField(choices=[('due', 'Due for review'), ('deferred', 'Deferred'), ('erased', 'Personal data erased')], default='due', max_length=10)),
                ('opened_at', models.DateTimeField()),
                ('decided_at', models.DateTimeField(blank=True, null=True)),
                ('reason', models.TextField(blank=True, max_length=2000)),
                ('deferred_until', models.DateField(blank=True, null=True)),
                ('decided_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('referral', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='referral.referral')),
                ('schedule', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='privacy.retentionschedule')),
            ],
            options={
                'ordering': ['due_on', 'id'],
                'indexes': [models.Index(fields=['status', 'due_on'], name='retention_review_status_idx')],
                'constraints': [models.UniqueConstraint(condition=models.Q(('status__in', ['due', 'deferred'])), fields=('referral',), name='retention_review_one_open_per_case'), models.CheckConstraint(condition=models.Q(models.Q(('status', 'deferred'), _negated=True), ('deferred_until__isnull', False), _connector='OR'), name='retention_review_deferred_has_date')],
            },
        ),
        migrations.RunPython(seed, migrations.RunPython.noop),
    ]
